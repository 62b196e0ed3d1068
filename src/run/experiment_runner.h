// Runs a whole experiment: for each system in turn, provision its environment, connect its driver,
// create topics, run the workload, and tear everything down on every exit path. The CLI and the
// server call this; it prints nothing itself (callers get log lines and progress through callbacks).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "results/result.h"
#include "workload/runner.h"

namespace bakeoff {

struct ExperimentRunOptions {
  // result.json, results.csv, hlog/*.hlog and report.html go here; rewritten after each run so partial
  // results survive.
  std::string output_dir;
  std::string bakeoff_version;
  const std::atomic<bool>* interrupted = nullptr;
  // Leave each environment running after its run (`bakeoff run --keep`, for debugging); the log line
  // names the id that `bakeoff env down ID` takes. Environments that cannot outlive the process
  // (embedded) are destroyed as usual.
  bool keep_environments = false;
  std::function<void(const std::string&)> on_log;         // phase lines ("kafka: environment ready")
  std::function<void(const ProgressLine&)> on_progress;   // once per second during a run
};

struct ExperimentOutcome {
  ExperimentResult result;
  bool any_run_failed = false;
  bool any_threshold_failed = false;  // a run with metrics missed a threshold
  bool interrupted = false;
  Status write_status;  // writing result.json
};

ExperimentOutcome RunExperiment(const Experiment& experiment, const ExperimentRunOptions& options);

// "<base>/<UTC yyyymmddTHHMMSSZ>-<name>"
std::string DefaultOutputDir(const std::string& base, const std::string& experiment_name);

}  // namespace bakeoff
