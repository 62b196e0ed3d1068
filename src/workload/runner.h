// The workload runner: drives one system (through its driver Session) with the experiment's workload
// and measures it. Open loop by default: producer i's message n is intended at start + n/rate, and
// latency is measured from that intended time (corrected) and from the actual send (uncorrected).
//
// Threads: one per producer, one per consumer, plus the calling thread, which samples per-second
// series and reports progress. Every phase is bounded in time: consumer readiness, the measured window
// (warm-up + duration, or the message cap), the flush and the drain.
#pragma once

#include "base/status.h"
#include "drivers/driver.h"
#include "measure/run_metrics.h"
#include "spec/experiment.h"
#include "workload/runner_options.h"

namespace bakeoff {

// Runs the workload on `session` (topics already created). Returns the metrics, or an error if the
// run could not start (e.g. a producer could not be created). Failures during the run are counted in
// the metrics, not returned.
Result<RunMetrics> RunWorkload(Session& session, const WorkloadSpec& workload, const RunnerOptions& options);

}  // namespace bakeoff
