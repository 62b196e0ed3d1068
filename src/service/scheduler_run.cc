// Scheduler::RunOne: one experiment from claim to terminal state, through the same library calls as
// `bakeoff run` (RunExperiment, then PublishResult).
#include <filesystem>

#include "results/compare.h"
#include "results/result_json.h"
#include "run/experiment_runner.h"
#include "run/publish.h"
#include "service/api_json.h"
#include "service/scheduler.h"
#include "service/submission.h"

namespace bakeoff {
namespace {

ExperimentState StateOfPhase(RunPhase phase) {
  switch (phase) {
    case RunPhase::kProvisioning:
      return ExperimentState::kProvisioning;
    case RunPhase::kTearingDown:
      return ExperimentState::kTearingDown;
    default:
      return ExperimentState::kRunning;
  }
}

ExperimentState StateOfStatus(ExperimentStatus status) {
  switch (status) {
    case ExperimentStatus::kSucceeded:
      return ExperimentState::kSucceeded;
    case ExperimentStatus::kThresholdFailed:
      return ExperimentState::kThresholdFailed;
    case ExperimentStatus::kRunFailed:
      return ExperimentState::kFailed;
    case ExperimentStatus::kInterrupted:
      return ExperimentState::kInterrupted;
    case ExperimentStatus::kCancelled:
      return ExperimentState::kCancelled;
  }
  return ExperimentState::kFailed;
}

// The runs' error lines, for the experiment's `error`.
std::string RunErrors(const nlohmann::json& runs) {
  std::string out;
  for (const nlohmann::json& run : runs) {
    if (!run.contains("error") || !run["error"].is_string()) continue;
    out += (out.empty() ? "" : "; ") + run.value("system", "") + ": " + run["error"].get<std::string>();
  }
  return out;
}

}  // namespace

void Scheduler::RunOne(ExperimentRecord record) {
  Running running;
  running.live.id = record.id;
  ParseOutcome parsed = ParseSubmission(record.spec_text, options_.data_dir + "/" + record.id + ".yaml");
  if (!parsed.ok()) {
    // Accepted by an older server whose drivers differed: it cannot run here.
    TerminalUpdate update{.state = ExperimentState::kFailed, .exit_code = 2,
                          .error = "the experiment no longer validates: " + parsed.diagnostics[0].ToString()};
    (void)queue_.Finish(record.id, update, Now());
    PublishState(record.id);
    return;
  }
  const Experiment& experiment = parsed.experiment;
  running.live.run_total_s = static_cast<double>(experiment.workload.warmup_ns + experiment.workload.duration_ns) / 1e9;

  ExperimentState last_state = ExperimentState::kProvisioning;
  const std::string id = record.id;
  RunContext& context = running.context;
  context.on_phase = [&](const PhaseEvent& phase) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running.live.phase = phase;
      if (phase.phase != RunPhase::kRunning) running.live.progress.reset();
    }
    const ExperimentState state = StateOfPhase(phase.phase);
    if (state != last_state) {
      (void)queue_.SetActiveState(id, state);
      last_state = state;
    }
    // A new run starts: the previous ones are in result.json now, so the headline can grow.
    if (phase.phase == RunPhase::kProvisioning && phase.run_index > 1) {
      if (Result<nlohmann::json> partial = LoadResultFile(record.result_dir); partial.ok())
        (void)queue_.SetHeadline(id, HeadlineFromRuns((*partial)["runs"]).dump());
    }
    events_.Publish(id, "log",
                    nlohmann::json{{"line", phase.system + ": run " + std::to_string(phase.run_index) + "/" +
                                                std::to_string(phase.runs_total) + " " + RunPhaseName(phase.phase)}}
                        .dump());
    PublishState(id);
  };
  context.on_progress = [&](const ProgressLine& line) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running.live.progress = line;
    }
    nlohmann::json data = ProgressJson(line);
    data["id"] = id;
    events_.Publish(id, "progress", data.dump());
  };
  context.on_log = [&](const std::string& line) { events_.Publish(id, "log", nlohmann::json{{"line", line}}.dump()); };

  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = &running;
    if (stopping_) context.RequestStop(StopReason::kInterrupted);
    if (record.cancel_requested) context.RequestStop(StopReason::kCancelled);
  }
  PublishState(id);

  ExperimentRunOptions run_options;
  run_options.output_dir = record.result_dir;
  run_options.bakeoff_version = options_.bakeoff_version;
  ExperimentOutcome outcome = RunExperiment(experiment, run_options, context);

  PublishOptions publish;
  publish.results_dir = results_dir();
  publish.s3_target = S3TargetOf(experiment, "");
  const nlohmann::json result_json = ResultToJson(outcome.result);
  TerminalUpdate update;
  update.state = StateOfStatus(outcome.status);
  update.exit_code = ExitCodeFor(outcome);
  update.headline_json = HeadlineFromRuns(result_json["runs"]).dump();
  update.error = RunErrors(result_json["runs"]);
  if (!outcome.write_status.ok()) {
    update.state = ExperimentState::kFailed;
    update.exit_code = 3;
    update.error = "could not write results: " + outcome.write_status.ToString();
  } else {
    const PublishOutcome published = PublishResult(experiment, record.result_dir, publish);
    if (!published.uploaded.ok()) {
      update.state = ExperimentState::kFailed;
      update.exit_code = 3;
      update.error = "upload failed: " + published.uploaded.message();
    }
  }
  if (update.state == ExperimentState::kInterrupted && update.error.empty())
    update.error = "interrupted: the server is stopping; partial results kept";
  if (update.state == ExperimentState::kCancelled && update.error.empty())
    update.error = "cancelled while running; partial results kept";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = nullptr;
  }
  (void)queue_.Finish(id, update, Now());
  PublishState(id);
}

}  // namespace bakeoff
