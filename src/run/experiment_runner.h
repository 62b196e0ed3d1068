// Runs a whole experiment: for each system in turn, provision its environment, connect its driver,
// create topics, run the workload, and tear everything down on every exit path. The CLI (`bakeoff run`)
// and the server (`bakeoff serve`) call this; it prints nothing itself (callers get log lines, phases
// and progress through the RunContext).
//
// Threads: RunExperiment runs on the caller's thread (plus the workload's worker threads) and keeps no
// process-global state, so two experiments may run at once in one process; each has its own context.
#pragma once

#include <string>

#include "results/result.h"
#include "run/run_context.h"

namespace bakeoff {

struct ExperimentRunOptions {
  // result.json, results.csv, hlog/*.hlog and report.html go here; rewritten after each run so partial
  // results survive. Empty: nothing is written.
  std::string output_dir;
  std::string bakeoff_version;
  // Leave each environment running after its run (`bakeoff run --keep`, for debugging); the log line
  // names the id that `bakeoff env down ID` takes. Environments that cannot outlive the process
  // (embedded) are destroyed as usual.
  bool keep_environments = false;
};

// The experiment's verdict, in the order of precedence used for the exit code.
enum class ExperimentStatus : int {
  kSucceeded,        // every run completed and met its thresholds
  kThresholdFailed,  // every run completed; a threshold was missed
  kNotSustained,     // every run completed; one could not hold its rate or measured nothing
  kRunFailed,        // a run failed (environment, connection, driver) or results could not be written
  kInterrupted,      // Ctrl-C, SIGTERM, server shutdown or deadline
  kCancelled,        // a user cancelled it
};
const char* ExperimentStatusName(ExperimentStatus status);  // "succeeded", "threshold_failed", ...

struct ExperimentOutcome {
  ExperimentResult result;
  ExperimentStatus status = ExperimentStatus::kSucceeded;
  bool any_run_failed = false;
  bool any_threshold_failed = false;  // a run with metrics missed a threshold
  bool any_not_sustained = false;     // a run ended not_sustained or no_data
  StopReason stop_reason = StopReason::kNone;
  Status write_status;  // writing result.json
};

ExperimentOutcome RunExperiment(const Experiment& experiment, const ExperimentRunOptions& options,
                                RunContext& context);

// What `bakeoff run` exits with for this outcome (run/exit_codes.h).
int ExitCodeFor(const ExperimentOutcome& outcome);

// "<base>/<UTC yyyymmddTHHMMSSZ>-<name>"
std::string DefaultOutputDir(const std::string& base, const std::string& experiment_name);

}  // namespace bakeoff
