#include "bench/reference_ring.h"

#include <atomic>
#include <memory>
#include <new>
#include <thread>

#include "measure/clock.h"

namespace bakeoff::bench {
namespace {

constexpr size_t kCacheLineBytes = 64;
// 1024 x 64 B = 64 KiB: fits in L2 next to the histogram, deep enough to absorb scheduling jitter.
constexpr uint64_t kRingSlots = 1024;
static_assert((kRingSlots & (kRingSlots - 1)) == 0, "ring size must be a power of two");

// One message: the same information a bakeoff header carries into the latency path.
struct alignas(kCacheLineBytes) Slot {
  int64_t stamp_ns;
  uint64_t seq;
  std::byte payload[kCacheLineBytes - 16];
};
static_assert(sizeof(Slot) == kCacheLineBytes);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spin briefly, then give the core away: on a loaded 2-core machine a thread that only spins can burn
// its whole time slice while the other side waits to run (the memory driver backs off the same way).
inline void Backoff(int& spins) {
  if (++spins < 256) {
    CpuRelax();
  } else {
    std::this_thread::yield();
  }
}

// Each side owns one cache line: its published index plus its private copy of the other side's index,
// refreshed only when the copy says the ring is full (producer) or empty (consumer). Without the cached
// copies every message would pull the other side's line across cores.
struct Ring {
  struct alignas(kCacheLineBytes) ProducerLine {
    std::atomic<uint64_t> head{0};  // next slot to write; published with release
    uint64_t cached_tail = 0;
  };
  struct alignas(kCacheLineBytes) ConsumerLine {
    std::atomic<uint64_t> tail{0};  // next slot to read; published with release
    uint64_t cached_head = 0;
  };
  struct alignas(kCacheLineBytes) ControlLine {
    std::atomic<bool> go{false};
    std::atomic<bool> producer_done{false};
    int64_t deadline_ns = 0;  // written before go is released
  };

  ProducerLine producer;
  ConsumerLine consumer;
  ControlLine control;
  Slot slots[kRingSlots];
};

void Produce(Ring& ring) {
  while (!ring.control.go.load(std::memory_order_acquire)) CpuRelax();
  const int64_t deadline_ns = ring.control.deadline_ns;
  uint64_t head = ring.producer.head.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t now = MonotonicNowNs();
    if (now >= deadline_ns) break;
    int spins = 0;
    while (head - ring.producer.cached_tail == kRingSlots) {
      ring.producer.cached_tail = ring.consumer.tail.load(std::memory_order_acquire);
      if (head - ring.producer.cached_tail == kRingSlots) Backoff(spins);
    }
    Slot& slot = ring.slots[head & (kRingSlots - 1)];
    slot.stamp_ns = now;
    slot.seq = head;
    ++head;
    ring.producer.head.store(head, std::memory_order_release);
  }
  ring.control.producer_done.store(true, std::memory_order_release);
}

void Consume(Ring& ring, ReferenceRingResult& result) {
  while (!ring.control.go.load(std::memory_order_acquire)) CpuRelax();
  uint64_t tail = ring.consumer.tail.load(std::memory_order_relaxed);
  uint64_t expected_seq = 0;
  int spins = 0;
  for (;;) {
    if (tail == ring.consumer.cached_head) {
      // Read done before head: a head loaded after seeing done includes every message.
      const bool done = ring.control.producer_done.load(std::memory_order_acquire);
      ring.consumer.cached_head = ring.producer.head.load(std::memory_order_acquire);
      if (tail == ring.consumer.cached_head) {
        if (done) break;
        Backoff(spins);
        continue;
      }
      spins = 0;
    }
    const int64_t now = MonotonicNowNs();  // one clock read per drained batch
    const uint64_t end = ring.consumer.cached_head;
    for (; tail != end; ++tail) {
      const Slot& slot = ring.slots[tail & (kRingSlots - 1)];
      result.latency_ns.Record(now - slot.stamp_ns);
      if (slot.seq != expected_seq) ++result.sequence_errors;
      expected_seq = slot.seq + 1;
    }
    ring.consumer.tail.store(tail, std::memory_order_release);
  }
  result.messages = tail;
}

}  // namespace

ReferenceRingResult RunReferenceRingDetailed(std::chrono::nanoseconds duration) {
  auto ring = std::make_unique<Ring>();
  ReferenceRingResult result;
  std::thread consumer([&] { Consume(*ring, result); });
  std::thread producer([&] { Produce(*ring); });
  const int64_t go_ns = MonotonicNowNs();
  ring->control.deadline_ns = go_ns + duration.count();
  ring->control.go.store(true, std::memory_order_release);
  producer.join();
  consumer.join();
  const int64_t end_ns = MonotonicNowNs();
  const double seconds = static_cast<double>(end_ns - go_ns) / 1e9;
  result.msgs_per_s = seconds > 0 ? static_cast<double>(result.messages) / seconds : 0.0;
  return result;
}

double RunReferenceRing(std::chrono::nanoseconds duration, uint64_t* messages_out) {
  const ReferenceRingResult result = RunReferenceRingDetailed(duration);
  if (messages_out != nullptr) *messages_out = result.messages;
  return result.msgs_per_s;
}

}  // namespace bakeoff::bench
