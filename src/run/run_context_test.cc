// The run API embedded in a long-lived process: two experiments at once, one cancelled, one left alone;
// deadlines and phase events.
#include "run/run_context.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "run/exit_codes.h"
#include "run/experiment_runner.h"
#include "run/registry_schemas.h"

namespace bakeoff {
namespace {

Experiment MemoryExperiment(const std::string& name, const std::string& duration) {
  const std::string yaml = "name: " + name +
                           "\nsystems:\n  - name: mem\n    driver: memory\n"
                           "workload:\n  partitions: 2\n  message_size: 64B\n  rate: 20k/s\n"
                           "  warmup: 200ms\n  duration: " +
                           duration + "\n";
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(yaml, name + ".yaml", schemas);
  EXPECT_TRUE(parsed.ok());
  return parsed.experiment;
}

TEST(RunContextTest, FirstStopReasonWins) {
  RunContext context;
  EXPECT_FALSE(context.stop_requested());
  EXPECT_EQ(context.stop_reason(), StopReason::kNone);
  context.RequestStop(StopReason::kCancelled);
  context.RequestStop(StopReason::kInterrupted);
  EXPECT_TRUE(context.stop_requested());
  EXPECT_TRUE(context.stop_flag()->load());
  EXPECT_EQ(context.stop_reason(), StopReason::kCancelled);
}

TEST(RunContextTest, TwoExperimentsAtOnceCancellingOneLeavesTheOther) {
  const Experiment kept = MemoryExperiment("kept", "3s");
  const Experiment cancelled = MemoryExperiment("cancelled", "20s");
  ExperimentRunOptions options;  // nothing written
  RunContext kept_context;
  RunContext cancelled_context;
  std::mutex mu;
  std::vector<RunPhase> cancelled_phases;
  cancelled_context.on_phase = [&](const PhaseEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    cancelled_phases.push_back(e.phase);
    EXPECT_EQ(e.system, "mem");
    EXPECT_EQ(e.run_index, 1);
    EXPECT_EQ(e.runs_total, 1);
  };
  int progress_lines = 0;
  kept_context.on_progress = [&](const ProgressLine&) { ++progress_lines; };

  ExperimentOutcome kept_outcome;
  ExperimentOutcome cancelled_outcome;
  const auto start = std::chrono::steady_clock::now();
  std::thread a([&] { kept_outcome = RunExperiment(kept, options, kept_context); });
  std::thread b([&] { cancelled_outcome = RunExperiment(cancelled, options, cancelled_context); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  cancelled_context.RequestStop(StopReason::kCancelled);
  b.join();
  const double cancelled_after_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  a.join();

  // The cancelled one stopped early, says why, and kept its partial figures.
  EXPECT_LT(cancelled_after_s, 10.0);
  EXPECT_EQ(cancelled_outcome.status, ExperimentStatus::kCancelled);
  EXPECT_EQ(cancelled_outcome.stop_reason, StopReason::kCancelled);
  EXPECT_EQ(ExitCodeFor(cancelled_outcome), kExitInterrupted);
  EXPECT_TRUE(cancelled_outcome.result.partial);
  ASSERT_EQ(cancelled_outcome.result.runs.size(), 1u);
  const RunRecord& c = cancelled_outcome.result.runs[0];
  EXPECT_EQ(c.status, RunStatus::kCancelled);
  ASSERT_TRUE(c.has_metrics);
  EXPECT_EQ(c.metrics.end, RunEnd::kInterrupted);
  EXPECT_GT(c.metrics.accounting.received, 0u);
  EXPECT_EQ(c.metrics.accounting.lost, 0u);
  {
    std::lock_guard<std::mutex> lock(mu);
    const std::vector<RunPhase> expected = {RunPhase::kProvisioning, RunPhase::kConnecting,
                                            RunPhase::kCreatingTopics, RunPhase::kRunning,
                                            RunPhase::kTearingDown};
    EXPECT_EQ(cancelled_phases, expected);
  }

  // The other ran its whole window, untouched.
  EXPECT_EQ(kept_outcome.status, ExperimentStatus::kSucceeded);
  EXPECT_EQ(ExitCodeFor(kept_outcome), kExitOk);
  EXPECT_FALSE(kept_outcome.result.partial);
  ASSERT_EQ(kept_outcome.result.runs.size(), 1u);
  const RunRecord& k = kept_outcome.result.runs[0];
  EXPECT_EQ(k.status, RunStatus::kOk) << k.error.ToString();
  ASSERT_TRUE(k.has_metrics);
  EXPECT_EQ(k.metrics.end, RunEnd::kCompleted);
  EXPECT_EQ(k.metrics.accounting.lost, 0u);
  EXPECT_EQ(k.metrics.accounting.received, k.metrics.accounting.sent);
  EXPECT_GE(k.metrics.accounting.sent, 3 * 20'000u);  // warm-up + 3 s at 20k/s, at least the window
  EXPECT_GE(progress_lines, 3);
}

TEST(RunContextTest, DeadlineStopsTheExperiment) {
  const Experiment long_one = MemoryExperiment("deadline", "30s");
  ExperimentRunOptions options;
  RunContext context;
  context.set_deadline(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  ExperimentOutcome outcome = RunExperiment(long_one, options, context);
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(took_s, 10.0);
  EXPECT_EQ(outcome.stop_reason, StopReason::kDeadline);
  EXPECT_EQ(outcome.status, ExperimentStatus::kInterrupted);
  ASSERT_EQ(outcome.result.runs.size(), 1u);
  EXPECT_EQ(outcome.result.runs[0].status, RunStatus::kInterrupted);
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

ExperimentOutcome RunYaml(const std::string& yaml) {
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(yaml, "verdict.yaml", schemas);
  EXPECT_TRUE(parsed.ok());
  for (const Diagnostic& d : parsed.diagnostics) ADD_FAILURE() << d.ToString();
  ExperimentRunOptions options;
  RunContext context;
  return RunExperiment(parsed.experiment, options, context);
}

TEST(VerdictTest, ASystemBelowItsTargetRateIsNotSustained) {
  // The memory driver throttled to 4k msg/s against a 10k msg/s target.
  ExperimentOutcome outcome = RunYaml(
      "name: saturated\nsystems:\n  - name: slow\n    driver: memory\n    options: {max_msgs_per_s: 4000}\n"
      "  - name: fast\n    driver: memory\n"
      "workload:\n  rate: 10k/s\n  warmup: 200ms\n  duration: 2s\n  drain_timeout: 2s\n");
  ASSERT_EQ(outcome.result.runs.size(), 2u);
  const RunRecord& slow = outcome.result.runs[0];
  EXPECT_EQ(slow.status, RunStatus::kNotSustained) << slow.error.ToString();
  EXPECT_STREQ(RunStatusName(slow.status), "not_sustained");
  EXPECT_NE(slow.error.message.find("of the 10000 msg/s target"), std::string::npos) << slow.error.ToString();
  EXPECT_EQ(outcome.result.runs[1].status, RunStatus::kOk) << outcome.result.runs[1].error.ToString();
  EXPECT_EQ(outcome.status, ExperimentStatus::kNotSustained);
  EXPECT_EQ(ExitCodeFor(outcome), kExitNotSustained);
}

TEST(VerdictTest, AMessageCapReachedDuringTheWarmupMeasuresNothing) {
  ExperimentOutcome outcome = RunYaml(
      "name: empty\nsystems:\n  - name: mem\n    driver: memory\n"
      "workload:\n  rate: 2k/s\n  messages: 100\n  warmup: 1s\n  duration: 2s\n");
  ASSERT_EQ(outcome.result.runs.size(), 1u);
  const RunRecord& run = outcome.result.runs[0];
  EXPECT_EQ(run.status, RunStatus::kNoData) << run.error.ToString();
  EXPECT_EQ(run.metrics.accounting.received, 100u);  // the accounting still counts every message
  EXPECT_EQ(ExitCodeFor(outcome), kExitNotSustained);
}

}  // namespace
}  // namespace bakeoff
