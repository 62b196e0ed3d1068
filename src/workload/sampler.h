// The runner's sampler (internal to workload/): once per second it takes what the workers recorded into
// the per-second series and the measured window's intervals, reports progress, and keeps the figures
// of phases (rate steps, search steps, backlog build and drain). Used by the control thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "measure/histogram.h"
#include "measure/run_metrics.h"
#include "spec/experiment.h"
#include "workload/runner_options.h"
#include "workload/workers.h"

namespace bakeoff::internal {

// The histograms of one sampled interval, as the workers recorded them since the last sample.
struct IntervalParts {
  Histogram e2e;  // corrected
  Histogram publish;
  Histogram e2e_uncorrected;
  Histogram publish_uncorrected;
  Histogram publish_delay;

  void Merge(const IntervalParts& o);
  void Reset();
  bool empty() const { return e2e.total_count() == 0 && publish.total_count() == 0; }
  void FillSparse(IntervalHistograms& out) const;
  void AddSparse(const IntervalHistograms& in);
};

class Sampler {
 public:
  Sampler(const RunnerOptions& options, const WorkloadSpec& workload, const SharedState& shared,
          std::vector<std::unique_ptr<ProducerWorker>>& producers,
          std::vector<std::unique_ptr<ConsumerWorker>>& consumers);

  // Samples when a second has passed since the last sample.
  void MaybeSample(int64_t now);
  // The final, partial sample, once no worker records any more.
  void SampleLast(int64_t now) { Sample(now, /*last=*/true); }

  std::vector<SecondSample> TakeSeries() { return std::move(series_); }
  std::vector<IntervalHistograms> TakeIntervals() { return std::move(intervals_); }

  // Phases (rate steps, search steps, backlog build/drain): the histograms recorded between
  // BeginPhase and EndPhase, and the counters at its start and at the end of its sending. A phase that
  // is one schedule segment (`segment` >= 0) takes its sent count and length from the segment: exact,
  // whenever the control thread got to look; received counts are the control thread's snapshots, over
  // the time between them.
  void BeginPhase(int64_t now, double rate_target, int segment = -1);
  bool phase_open() const { return phase_open_; }
  // The phase's sending ends (its received rate and backlog growth are measured up to here).
  void MarkSendingEnd();
  StepMetrics EndPhase();

  // Sent, received and their difference now (the control thread's view).
  struct Counters {
    uint64_t sent = 0;
    uint64_t acked = 0;
    uint64_t received = 0;
    uint64_t received_bytes = 0;
    uint64_t send_errors = 0;
    // Distinct messages the slowest subscription received (without fan-out: the one subscription's);
    // steps' received counts, backlogs and a search's settling are judged on it.
    uint64_t distinct_received = 0;
    int64_t at_ns = 0;  // when they were read
    int64_t backlog() const { return static_cast<int64_t>(sent) - static_cast<int64_t>(distinct_received); }
  };
  Counters ReadCounters() const;

 private:
  // Intervals shorter than this (e.g. the sample just after a warm-up of whole seconds, or a drain that
  // ended just after a sample) are joined to a neighbour rather than written on their own.
  static constexpr int64_t kMinIntervalNs = 100'000'000;

  void Sample(int64_t now, bool last);
  void KeepInterval(int64_t now, const IntervalParts& parts, bool last);
  int64_t last_sample_ns() const { return last_sample_ns_ ? last_sample_ns_ : shared_.clock.start_ns; }
  void Collect();

  const RunnerOptions& options_;
  const WorkloadSpec& workload_;
  const SharedState& shared_;
  std::vector<std::unique_ptr<ProducerWorker>>& producers_;
  std::vector<std::unique_ptr<ConsumerWorker>>& consumers_;
  int64_t next_sample_ns_ = 0;
  int64_t last_sample_ns_ = 0;
  SecondSample last_;
  std::vector<SecondSample> series_;
  std::vector<IntervalHistograms> intervals_;
  IntervalParts pending_;  // recorded since the end of the last interval, not yet in one
  IntervalParts second_;   // collected since the last sample
  bool phase_open_ = false;
  StepMetrics phase_;
  Histogram unphased_e2e_;  // collected while no phase was open; given to the next one
  Histogram unphased_publish_;
  Counters phase_start_;
  int phase_segment_ = -1;
  std::optional<Counters> phase_sending_end_;
};

}  // namespace bakeoff::internal
