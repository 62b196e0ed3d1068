// The bare reference for the `memory` driver's performance target: a single-producer single-consumer
// ring in which the producer stamps time and sequence into a 64-byte slot and the consumer computes
// latency into a histogram and checks the sequence. Measured in the same run as the driver, it tells
// how much of the driver's cost is the harness and how much is inherent to the machine.
#pragma once

#include <chrono>
#include <cstdint>

#include "measure/histogram.h"

namespace bakeoff::bench {

struct ReferenceRingResult {
  uint64_t messages = 0;         // consumed (== produced) messages
  uint64_t sequence_errors = 0;  // slots whose sequence differed from the expected one; 0 unless a bug
  double msgs_per_s = 0;         // messages / wall time from start to the consumer's last message
  Histogram latency_ns;          // producer stamp -> consumer batch read, per message
};

// Runs the ring for about `duration` on two new threads (producer, consumer) and returns what was
// measured. Blocks the calling thread until both have finished.
ReferenceRingResult RunReferenceRingDetailed(std::chrono::nanoseconds duration);

// As above; returns msgs/s and stores the message count in `*messages_out` if it is not null.
double RunReferenceRing(std::chrono::nanoseconds duration, uint64_t* messages_out);

}  // namespace bakeoff::bench
