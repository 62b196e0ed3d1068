#include "drivers/memory/doorbell.h"

#include <chrono>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

namespace bakeoff {

void Doorbell::Wait(uint32_t token, int64_t timeout_ns) {
  if (timeout_ns <= 0) {
    CancelWait();
    return;
  }
#if defined(__linux__)
  timespec timeout{.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000),
                   .tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000)};
  // EAGAIN (seq already moved on), EINTR and ETIMEDOUT all simply return: the caller re-checks its rings.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&seq_), FUTEX_WAIT_PRIVATE, token, &timeout, nullptr, 0);
#else
  if (seq_.load(std::memory_order_acquire) == token)
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(timeout_ns, 50'000)));
#endif
  sleeping_.store(0, std::memory_order_relaxed);
}

void Doorbell::Wake() {
#if defined(__linux__)
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&seq_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#endif
}

}  // namespace bakeoff
