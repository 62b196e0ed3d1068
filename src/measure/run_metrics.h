// The measured facts of one run, as the runner produces them; results/ turns them into JSON and tables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "measure/accounting.h"
#include "measure/error_counts.h"
#include "measure/histogram.h"

namespace bakeoff {

// One second of the run (seconds since the producers started; warm-up seconds included and marked).
struct SecondSample {
  double t_s = 0;
  bool warmup = false;
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t received = 0;
  uint64_t received_bytes = 0;
  uint64_t send_errors = 0;
  int64_t e2e_p50_ns = 0;  // corrected
  int64_t e2e_p99_ns = 0;
  int64_t e2e_max_ns = 0;
  int64_t publish_p99_ns = 0;  // corrected
};

// The corrected latency histograms of one sampled interval (about a second), for the .hlog files. Like
// the run's histograms they hold only messages intended inside the measured window, so an interval
// never starts before the window does.
struct IntervalHistograms {
  int64_t start_ns = 0;  // since the producers started (as SecondSample::t_s)
  int64_t length_ns = 0;
  SparseHistogram e2e_corrected;
  SparseHistogram publish_corrected;
  // The same interval from the actual send time, and how late the sends were (actual - intended send
  // time): what OMB reports per period (omb-result.json).
  SparseHistogram e2e_uncorrected;
  SparseHistogram publish_uncorrected;
  SparseHistogram publish_delay;
};

struct LatencyPair {
  Histogram corrected;    // from the intended send time
  Histogram uncorrected;  // from the actual send time
};

// One subscription's own figures (fan-out). Its accounting's sent, acked and send_errors are the run's
// (every subscription is owed every message); received .. unparseable are this subscription's alone.
struct SubscriptionMetrics {
  int index = 0;
  AccountingTotals accounting;
  LatencyPair e2e;
  uint64_t measured_received = 0;  // deliveries to this subscription in the measured window
};

// One step of a rate schedule (steps, a ramp's pieces, a find_max search's steps). Latencies are the
// corrected ones recorded while the step ran (a search step: also while it settled, so every message of
// the step is in it); rates are over the step's sending time.
struct StepMetrics {
  double rate_target = 0;  // total msgs/s asked for (a ramp piece: its mean)
  double start_s = 0;      // since the producers started
  double duration_s = 0;   // the sending time
  uint64_t sent = 0;       // sent while the step sent
  uint64_t received =
      0;  // distinct messages received while the step sent (fan-out: by the slowest subscription)
  double sent_per_s = 0;
  double received_per_s = 0;
  // Sent but not yet received at the step's end minus the same at its start, in messages: > 0 when the
  // consumers fell behind (fan-out: the slowest subscription's consumers).
  int64_t backlog_growth = 0;
  Histogram e2e;      // corrected
  Histogram publish;  // corrected
  bool met = true;    // steps, ramp: the rate was sustained; find_max: the objective was met
  std::string why;    // when !met: which part of it failed
};

// The outcome of `rate: {find_max: ...}`.
struct FindMaxOutcome {
  std::string objective;  // "e2e_latency.corrected.p99 < 50ms, no backlog growth, rate sustained"
  bool found = false;     // some step met it
  double found_rate = 0;  // the highest step rate that met it (msgs/s), 0 if none
  int steps = 0;
  std::string ended;  // why the search stopped: "within 5%", "max_steps", "interrupted", ...
};

// The outcome of `backlog:`: the build with consumers paused, the drain, and the running after it.
struct BacklogMetrics {
  int64_t target_messages = 0;  // as asked
  uint64_t messages = 0;        // sent but not received (by the slowest subscription) when the drain began
  uint64_t bytes = 0;           // the same in bytes (message count x mean message size)
  double build_s = 0;
  double drain_s = 0;
  bool drained = false;         // false: the drain ended at max_drain
  double drain_read_per_s = 0;  // consumers' read rate while catching up
  double producer_rate_during_drain = 0;
  Histogram publish_during_drain;  // corrected
  Histogram e2e_during_drain;      // corrected
  Histogram e2e_after_drain;       // corrected, from the drain's end to the end of the run
};

// How a workload run ended.
enum class RunEnd : int {
  kCompleted,          // the measured window ran and every message arrived
  kCompletedCap,       // the message cap was reached and every message arrived
  kCompletedWithGaps,  // every stream's last message arrived; some before it never did (lost)
  kDrainTimeout,       // not every message arrived within drain_timeout
  kInterrupted,        // stopped on request (Ctrl-C, cancel, deadline)
};
const char* RunEndText(RunEnd end);  // "completed", "completed (message cap)", ...

struct RunMetrics {
  bool closed_loop = false;         // rate: max
  bool partial = false;             // interrupted or stopped early: figures cover what ran
  RunEnd end = RunEnd::kCompleted;  // how the workload ended; stop_reason() says it in words
  int64_t measured_ns = 0;          // length of the measured window actually covered
  uint64_t measured_sent = 0;       // messages sent in the measured window
  uint64_t measured_received = 0;
  uint64_t measured_received_bytes = 0;
  LatencyPair publish;
  LatencyPair e2e;
  // Actual - intended send time of the acked messages intended in the measured window: how far behind
  // schedule the producers sent (0 in closed loop). OMB calls it the publish delay.
  Histogram publish_delay;
  // Summed over subscriptions: received counts deliveries (N subscriptions receive each message N
  // times); lost, duplicated and out_of_order are the sums of the subscriptions' own.
  AccountingTotals accounting;
  // With workload.subscriptions > 1: each subscription's own accounting and latency, in index order.
  // Empty with one subscription (its figures are the run's).
  std::vector<SubscriptionMetrics> subscriptions;
  std::vector<SecondSample> series;
  // Wall clock when the producers started: t = 0 of `series` and `intervals`. 0 if unknown.
  int64_t producers_start_unix_ns = 0;
  // Consecutive intervals from the start of the measured window to the end of the run (the last one cut
  // short at the end of the drain). Their counts add up to e2e.corrected's and publish.corrected's.
  // Sparse (~1 KiB per second and histogram), so an hour stays at a few MB. Not in result.json.
  std::vector<IntervalHistograms> intervals;
  // How often each kind of error occurred (send failures, driver errors), by phase and code.
  ErrorCounts errors;
  std::vector<StepMetrics> steps;  // rate steps, ramp pieces or find_max steps; else empty
  std::optional<FindMaxOutcome> find_max;
  std::optional<BacklogMetrics> backlog;

  std::string stop_reason() const { return RunEndText(end); }
  double sent_msgs_per_s() const { return PerSecond(measured_sent); }
  double received_msgs_per_s() const { return PerSecond(measured_received); }
  double received_mb_per_s() const { return PerSecond(measured_received_bytes) / 1e6; }
  double received_msgs_per_s(const SubscriptionMetrics& s) const { return PerSecond(s.measured_received); }

 private:
  double PerSecond(uint64_t n) const {
    return measured_ns > 0 ? static_cast<double>(n) * 1e9 / static_cast<double>(measured_ns) : 0.0;
  }
};

}  // namespace bakeoff
