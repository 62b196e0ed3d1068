// Producer and consumer workers of the runner (internal to workload/). Each worker runs on its own
// thread; the runner's control thread reads only the atomics and, under `interval_mutex`, the
// per-second histograms.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "measure/accounting.h"
#include "measure/error_counts.h"
#include "measure/histogram.h"
#include "measure/rate_schedule.h"
#include "measure/run_metrics.h"
#include "spec/experiment.h"
#include "workload/keys.h"
#include "workload/payload.h"

namespace bakeoff::internal {

// Times every worker agrees on, fixed before the workers start.
struct RunClock {
  int64_t start_ns = 0;          // producers start; warm-up begins
  int64_t measure_start_ns = 0;  // warm-up ends
  // Measured window ends (far in the future for a search or a backlog, whose end the control thread
  // decides: see SharedState::produce_until_ns).
  int64_t measure_end_ns = 0;
  bool InWindow(int64_t t) const { return t >= measure_start_ns && t < measure_end_ns; }
};

// The rate schedule the producers follow: segments published by the control thread, in order. All of
// them are published before the producers start, except in a find_max search, where the control
// thread publishes each step once the previous one was judged. Segment rates are per producer.
class ScheduleBoard {
 public:
  static constexpr size_t kCapacity = 256;
  // Control thread only. Returns false (and publishes nothing) when the board is full.
  bool Publish(const RateSegment& segment) {
    const size_t n = published_.load(std::memory_order_relaxed);
    if (n >= kCapacity) return false;
    segments_[n] = segment;
    published_.store(n + 1, std::memory_order_release);
    return true;
  }
  // No segment follows: a producer that passed the last one is done.
  void Close() { closed_.store(true, std::memory_order_release); }
  size_t published() const { return published_.load(std::memory_order_acquire); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // Segment `i` < published(); it never changes once published.
  const RateSegment& at(size_t i) const { return segments_[i]; }

 private:
  std::array<RateSegment, kCapacity> segments_{};
  std::atomic<size_t> published_{0};
  std::atomic<bool> closed_{false};
};

// What the consumers of one subscription received so far (fan-out: each subscription receives everything).
struct SubscriptionProgress {
  std::atomic<uint64_t> distinct_received{0};
  // As SharedState::frontier_total, for this subscription alone.
  std::atomic<uint64_t> frontier_total{0};
  // Backlog drain: messages received so far that were intended before SharedState::drain_mark_ns.
  std::atomic<uint64_t> received_before_mark{0};
};

struct SharedState {
  explicit SharedState(int subscription_count = 1)
      : subscriptions(static_cast<size_t>(std::max(1, subscription_count))) {}

  RunClock clock;
  ScheduleBoard schedule;  // open loop only
  // No message intended at or after this time is sent; a producer behind schedule gives up at the
  // send deadline. Fixed before start for a fixed rate, steps and a ramp; set by the control thread
  // when a search or a backlog's phases end.
  std::atomic<int64_t> produce_until_ns{0};
  std::atomic<int64_t> send_deadline_ns{0};
  // Backlog build: consumers do not poll while set.
  std::atomic<bool> consumers_paused{false};
  // Backlog drain: set when the drain begins. Each subscription counts the messages it received that
  // were intended before it (SubscriptionProgress::received_before_mark); the backlog is drained when
  // the slowest subscription received all that were sent before it. Until the mark is set every
  // message counts (it was intended before any later mark).
  std::atomic<int64_t> drain_mark_ns{std::numeric_limits<int64_t>::max()};
  std::atomic<bool> stop_producing{false};
  std::atomic<bool> stop_consuming{false};
  // Totals over every subscription (deliveries to N subscriptions count N times).
  std::atomic<uint64_t> distinct_received{0};
  // Sum over (producer, stream) of the highest sequence number received + 1. sent - frontier_total is
  // what is still in flight; unlike sent - received it does not count lost messages as in flight.
  std::atomic<uint64_t> frontier_total{0};
  // Per subscription, in index order; sized once, never resized (atomics do not move).
  std::vector<SubscriptionProgress> subscriptions;
  // The least of the subscriptions' frontiers: what the slowest subscription has caught up to.
  uint64_t SlowestFrontier() const {
    uint64_t slowest = UINT64_MAX;
    for (const SubscriptionProgress& s : subscriptions) slowest = std::min(slowest, s.frontier_total.load());
    return slowest;
  }
  // The least of the subscriptions' distinct receipts: what the slowest subscription has received.
  uint64_t SlowestDistinctReceived() const {
    uint64_t slowest = UINT64_MAX;
    for (const SubscriptionProgress& s : subscriptions)
      slowest = std::min(slowest, s.distinct_received.load());
    return slowest;
  }
  // The least of the subscriptions' receipts of messages intended before drain_mark_ns.
  uint64_t SlowestReceivedBeforeMark() const {
    uint64_t slowest = UINT64_MAX;
    for (const SubscriptionProgress& s : subscriptions)
      slowest = std::min(slowest, s.received_before_mark.load());
    return slowest;
  }
  // Set by the control thread in closed-loop runs while sent - received exceeds max_backlog.
  std::atomic<bool> backlog_full{false};
};

class ProducerWorker final : public CompletionSink {
 public:
  // `first_stream`/`stream_count`: the streams this producer writes to (producers_per_topic: its
  // topic's partitions; otherwise all).
  ProducerWorker(int index, int streams, const WorkloadSpec& workload, SharedState& shared,
                 PayloadGenerator payload, uint32_t first_stream, uint32_t stream_count);
  // The driver's producer, created with this worker as its completion sink. Before Run().
  void SetProducer(std::unique_ptr<Producer> producer) { producer_ = std::move(producer); }

  // The thread body: sends on schedule until the window ends, the cap is reached or stop is asked,
  // then flushes for at most `flush_timeout_ns`.
  void Run(int64_t flush_timeout_ns);

  void OnAcked(std::span<const SendTicket> tickets) override;
  void OnFailed(const SendTicket& ticket, const Status& why) override;

  // Read by the control thread at any time.
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> send_errors{0};
  std::atomic<bool> done{false};
  // Schedule segments this producer has finished (every message intended in them was sent or given
  // up): a search step has settled only when every producer passed it.
  std::atomic<size_t> segments_passed{0};
  // Messages of schedule segment `s` sent before the segment ended: a step's exact sent count, free of
  // when the control thread looked.
  uint64_t on_time_sent(size_t s) const {
    return s < ScheduleBoard::kCapacity ? on_time_sent_[s].load(std::memory_order_relaxed) : 0;
  }
  std::mutex interval_mutex;
  Histogram interval_publish;              // corrected, since the last sample; guarded by interval_mutex
  Histogram interval_publish_uncorrected;  // the same from the actual send time
  Histogram interval_publish_delay;        // actual - intended send time

  // Read after the thread ended.
  SendAccounting accounting;
  LatencyPair publish;
  uint64_t measured_sent = 0;
  uint64_t unsent_behind_schedule = 0;
  int64_t finished_ns = 0;
  ErrorCounts errors;

 private:
  void SendOne(uint64_t index, int64_t intended_ns);

  int index_;
  const WorkloadSpec& workload_;
  SharedState& shared_;
  PayloadGenerator payload_;
  KeyChooser keys_;
  uint32_t first_stream_ = 0;
  std::unique_ptr<std::atomic<uint64_t>[]> on_time_sent_ {
    new std::atomic<uint64_t>[ScheduleBoard::kCapacity] {}
  };
  size_t segment_ = 0;  // of the message being sent (open loop)
  int64_t segment_end_ns_ = INT64_MAX;
  std::unique_ptr<Producer> producer_;
  std::vector<std::byte> scratch_;
};

class ConsumerWorker final : public ReceiveSink {
 public:
  // A consumer of subscription `subscription` (an index into shared.subscriptions).
  ConsumerWorker(int subscription, int producers, int streams, SharedState& shared,
                 std::unique_ptr<Consumer> consumer);

  void Run();
  void OnReceived(std::span<const InMessage> batch) override;

  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> received_bytes{0};
  std::atomic<bool> ready{false};
  std::mutex interval_mutex;
  Histogram interval_e2e;              // corrected, since the last sample; guarded by interval_mutex
  Histogram interval_e2e_uncorrected;  // the same from the actual send time

  const int subscription;
  ReceiveAccounting accounting;
  LatencyPair e2e;
  uint64_t measured_received = 0;
  uint64_t measured_received_bytes = 0;
  int64_t last_receive_ns = 0;
  ErrorCounts errors;

 private:
  SharedState& shared_;
  std::unique_ptr<Consumer> consumer_;
};

}  // namespace bakeoff::internal
