// omb-result.json: one run in the shape of OpenMessaging Benchmark's result file (its TestResult), so
// that OMB's chart scripts and the tools people built on them read bakeoff's results.
//
// OMB's names and units: latencies in milliseconds (publish, end-to-end) and the publish delay in
// microseconds, rates in msg/s, `backlog` in messages; per-period lists are one value per second of the
// measured window (OMB's periods are 10 s), the aggregated* figures cover the whole window. As OMB
// measures them, the OMB-named latencies are *uncorrected* (from the actual send time); bakeoff's
// coordinated-omission corrected figures are in result.json, and under `bakeoffCorrected` here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "results/result.h"

namespace bakeoff {

// The OMB-shaped document of `result.runs[run_index]`. A run without metrics gives empty lists.
nlohmann::json RunToOmbResult(const ExperimentResult& result, size_t run_index);

// "omb/run-03-mem.json" for the run at `run_index` (0-based), as HlogFileName names the .hlog.
std::string OmbRunFileName(size_t run_index, const std::string& system);

}  // namespace bakeoff
