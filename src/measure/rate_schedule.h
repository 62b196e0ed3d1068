// The open-loop schedule: when each message is *intended* to be sent. Latency is measured from the
// intended time, so a stalled client cannot hide its stall (coordinated omission).
#pragma once

#include <cstdint>

namespace bakeoff {

class RateSchedule {
 public:
  // Fixed rate: message i of this producer is intended at start_ns + i * 1e9 / msgs_per_s.
  static RateSchedule Fixed(double msgs_per_s, int64_t start_ns) {
    RateSchedule s;
    s.closed_loop_ = false;
    s.start_ns_ = start_ns;
    s.interval_ns_ = 1e9 / msgs_per_s;
    return s;
  }
  // Closed loop ("max"): there is no schedule; the intended time is the actual send time.
  static RateSchedule ClosedLoop(int64_t start_ns) {
    RateSchedule s;
    s.closed_loop_ = true;
    s.start_ns_ = start_ns;
    return s;
  }

  bool closed_loop() const { return closed_loop_; }
  int64_t start_ns() const { return start_ns_; }
  // Intended send time of message `index` (0-based) of this producer. Fixed rate only.
  int64_t IntendedNs(uint64_t index) const {
    return start_ns_ + static_cast<int64_t>(static_cast<double>(index) * interval_ns_);
  }
  // Number of messages whose intended time is <= now_ns (fixed rate only).
  uint64_t DueBy(int64_t now_ns) const {
    if (now_ns < start_ns_) return 0;
    return static_cast<uint64_t>(static_cast<double>(now_ns - start_ns_) / interval_ns_) + 1;
  }

 private:
  bool closed_loop_ = true;
  int64_t start_ns_ = 0;
  double interval_ns_ = 0;
};

}  // namespace bakeoff
