// The open-loop schedule: when each message is *intended* to be sent. Latency is measured from the
// intended time, so a stalled client cannot hide its stall (coordinated omission).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

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

// One piece of a piecewise schedule: from start_ns to end_ns the rate changes linearly from
// `from_per_s` to `to_per_s` (equal: a fixed rate). Rates are one producer's (the total / producers).
// A schedule is a sequence of segments; a gap between two is a pause with nothing intended.
struct RateSegment {
  static constexpr int64_t kOpenEnd = std::numeric_limits<int64_t>::max();
  int64_t start_ns = 0;
  int64_t end_ns = kOpenEnd;  // kOpenEnd only with from == to
  double from_per_s = 0;
  double to_per_s = 0;

  double length_s() const { return static_cast<double>(end_ns - start_ns) / 1e9; }
  // Messages intended in the whole segment (fractional; infinite when open-ended).
  double Count() const {
    if (end_ns == kOpenEnd) return std::numeric_limits<double>::infinity();
    return (from_per_s + to_per_s) / 2 * length_s();
  }
  // Messages intended in [start_ns, t) for t inside the segment.
  double CountBefore(int64_t t_ns) const {
    if (t_ns <= start_ns) return 0;
    if (end_ns != kOpenEnd && t_ns >= end_ns) return Count();
    const double t = static_cast<double>(t_ns - start_ns) / 1e9;
    if (end_ns == kOpenEnd || from_per_s == to_per_s) return from_per_s * t;
    return from_per_s * t + (to_per_s - from_per_s) * t * t / (2 * length_s());
  }
  // The time at which `n` messages (n < Count()) have been intended since start_ns: the inverse of
  // CountBefore. Message k of the segment is intended at OffsetNs(k).
  int64_t TimeOfCount(double n) const {
    if (n <= 0) return start_ns;
    const double a = from_per_s;
    double t = 0;
    if (end_ns == kOpenEnd || a == to_per_s) {
      t = n / a;
    } else {
      // a t + (b - a) t^2 / (2 L) = n, in the form that stays exact when b is close to a.
      const double slope = (to_per_s - a) / length_s();
      const double disc = a * a + 2 * slope * n;
      t = 2 * n / (a + std::sqrt(std::max(0.0, disc)));
    }
    return start_ns + static_cast<int64_t>(t * 1e9);
  }
};

// One producer's walk through a sequence of segments: the intended time of its message i. Message
// indices continue across segments (a fractional count carried over), so a schedule of contiguous
// segments at one rate intends exactly what one long segment would.
class SegmentCursor {
 public:
  // The intended time of message `index` (called with increasing indices) in `segment`, or nullopt-like
  // kPastEnd when the message belongs to a later segment (then call Advance with the next one).
  static constexpr int64_t kPastEnd = std::numeric_limits<int64_t>::min();
  int64_t IntendedNs(const RateSegment& segment, uint64_t index) const {
    const double n = static_cast<double>(index) - base_;
    if (n >= segment.Count()) return kPastEnd;
    return segment.TimeOfCount(std::max(0.0, n));
  }
  // Moves past `segment`: the next segment's message 0 is the one after its last.
  void Advance(const RateSegment& segment) { base_ += segment.Count(); }
  double base() const { return base_; }

 private:
  double base_ = 0;  // messages intended in the segments already passed
};

}  // namespace bakeoff
