// The one clock of the measurement path: monotonic nanoseconds, cheap enough to read per batch.
#pragma once

#include <cstdint>
#include <ctime>

namespace bakeoff {

// Monotonic time in nanoseconds (CLOCK_MONOTONIC via the vDSO; comparable across threads of one
// process). All intended/sent/acked/received timestamps use this clock.
inline int64_t MonotonicNowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Wall-clock time in nanoseconds since the Unix epoch, for result metadata only.
inline int64_t WallNowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace bakeoff
