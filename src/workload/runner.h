// The workload runner: drives one system (through its driver Session) with the experiment's workload
// and measures it. Open loop by default: producer i's message n is intended at start + n/rate, and
// latency is measured from that intended time (corrected) and from the actual send (uncorrected).
//
// Threads: one per producer, one per consumer, plus the calling thread, which samples per-second
// series and reports progress. Every phase is bounded in time: consumer readiness, the measured window
// (warm-up + duration, or the message cap), the flush and the drain.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "base/status.h"
#include "drivers/driver.h"
#include "measure/run_metrics.h"
#include "spec/experiment.h"

namespace bakeoff {

struct ProgressLine {
  std::string system;
  double elapsed_s = 0;
  double total_s = 0;
  bool warmup = false;
  bool drain = false;  // after the send window (warm-up + duration): late sends, flush and drain
  double sent_per_s = 0;
  double received_per_s = 0;
  int64_t e2e_p99_ns = 0;
  uint64_t errors = 0;
};

struct RunnerOptions {
  std::string system_name;
  std::string base_dir;  // resolves relative payload files
  int streams = 1;       // topics x partitions
  // Set by a signal handler: stop producing, drain briefly, return partial results.
  const std::atomic<bool>* interrupted = nullptr;
  std::function<void(const ProgressLine&)> on_progress;  // once per second; may be empty
  std::chrono::nanoseconds consumer_ready_timeout{std::chrono::seconds(30)};
};

// Runs the workload on `session` (topics already created). Returns the metrics, or an error if the
// run could not start (e.g. a producer could not be created). Failures during the run are counted in
// the metrics, not returned.
Result<RunMetrics> RunWorkload(Session& session, const WorkloadSpec& workload, const RunnerOptions& options);

}  // namespace bakeoff
