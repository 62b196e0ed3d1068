// Exit codes of `bakeoff run` (and of `bakeoff submit --wait`, which reports a server's run the same
// way). Documented in `bakeoff --help` and the README; CI scripts rely on them, so never renumber.
#pragma once

namespace bakeoff {

enum ExitCode : int {
  kExitOk = 0,               // every run completed
  kExitInternal = 1,         // unexpected internal error (a bug)
  kExitBadExperiment = 2,    // usage error or invalid experiment file: nothing was run
  kExitRunFailed = 3,        // a run failed (environment, connection or driver error); others may have run
  kExitThresholdFailed = 4,  // all runs completed but a threshold was not met
  kExitNotSustained = 5,     // all runs completed but one could not hold its target rate or measured nothing
  kExitInterrupted = 130,    // stopped by Ctrl-C / SIGTERM / cancel; partial results were written
};

}  // namespace bakeoff
