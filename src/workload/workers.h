// Producer and consumer workers of the runner (internal to workload/). Each worker runs on its own
// thread; the runner's control thread reads only the atomics and, under `interval_mutex`, the
// per-second histograms.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "measure/accounting.h"
#include "measure/error_counts.h"
#include "measure/histogram.h"
#include "measure/run_metrics.h"
#include "spec/experiment.h"
#include "workload/keys.h"
#include "workload/payload.h"

namespace bakeoff::internal {

// Times every worker agrees on, fixed before the workers start.
struct RunClock {
  int64_t start_ns = 0;          // producers start; warm-up begins
  int64_t measure_start_ns = 0;  // warm-up ends
  int64_t measure_end_ns = 0;    // measured window ends; no message intended later is sent
  int64_t send_deadline_ns = 0;  // a producer behind schedule gives up here
  bool InWindow(int64_t t) const { return t >= measure_start_ns && t < measure_end_ns; }
};

// What the consumers of one subscription received so far (fan-out: each subscription receives everything).
struct SubscriptionProgress {
  std::atomic<uint64_t> distinct_received{0};
  // As SharedState::frontier_total, for this subscription alone.
  std::atomic<uint64_t> frontier_total{0};
};

struct SharedState {
  explicit SharedState(int subscription_count = 1)
      : subscriptions(static_cast<size_t>(std::max(1, subscription_count))) {}

  RunClock clock;
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
  // Set by the control thread in closed-loop runs while sent - received exceeds max_backlog.
  std::atomic<bool> backlog_full{false};
};

class ProducerWorker final : public CompletionSink {
 public:
  ProducerWorker(int index, int streams, const WorkloadSpec& workload, SharedState& shared,
                 PayloadGenerator payload);
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
