// A doorbell lets a consumer that found its rings empty block in the kernel until a producer pushes,
// instead of spinning or yielding. A thread woken from a futex gets the scheduler's wake-up preference,
// so on a busy machine the memory baseline waits like a blocking socket read does (a yielding or
// spinning thread has used its share and queues behind every busy process instead).
//
// The protocol (no lost wake-up): the consumer reads `seq`, raises `sleeping`, fences, checks its rings
// once more and only then waits for `seq` to change. A producer publishes its push, fences, and rings
// when it sees `sleeping` raised. Either the consumer's re-check sees the push, or the producer sees the
// raised flag and bumps `seq` (which makes the wait return at once or wakes it).
#pragma once

#include <atomic>
#include <cstdint>

namespace bakeoff {

// The full fence of the protocol. ThreadSanitizer does not model fences (gcc rejects them under
// -fsanitize=thread), so there both sides do a seq_cst read-modify-write of one shared word instead:
// RMWs of one location are totally ordered, which gives the same store-then-load guarantee.
#if defined(__SANITIZE_THREAD__)
inline void DoorbellFence() {
  static std::atomic<uint32_t> word{0};
  word.fetch_add(0, std::memory_order_seq_cst);
}
#else
inline void DoorbellFence() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
#endif

class Doorbell {
 public:
  // Consumer side, before the final re-check of its rings: returns the token to pass to Wait().
  uint32_t PrepareWait() {
    const uint32_t token = seq_.load(std::memory_order_acquire);
    sleeping_.store(1, std::memory_order_relaxed);
    DoorbellFence();
    return token;
  }
  // The re-check found work: no wait after all.
  void CancelWait() { sleeping_.store(0, std::memory_order_relaxed); }
  // Blocks until a producer rings (or `timeout_ns` passes, or a spurious wake-up).
  void Wait(uint32_t token, int64_t timeout_ns);

  // Producer side, after its push is published and a seq_cst fence (see ProducerFence()).
  void RingIfSleeping() {
    if (sleeping_.load(std::memory_order_relaxed) == 0) return;
    if (sleeping_.exchange(0, std::memory_order_acq_rel) == 0) return;  // another producer rang
    seq_.fetch_add(1, std::memory_order_release);
    Wake();
  }
  static void ProducerFence() { DoorbellFence(); }

 private:
  void Wake();

  alignas(64) std::atomic<uint32_t> seq_{0};
  std::atomic<uint32_t> sleeping_{0};
};

}  // namespace bakeoff
