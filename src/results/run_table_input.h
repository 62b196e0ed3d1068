// `bakeoff results show`: a stored result read back into the shape RenderSummaryTable takes, so that it
// prints the same run table `bakeoff run` printed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "results/result.h"

namespace bakeoff {

// `result` is a result.json document, `dir` its directory. The latency histograms come from the runs'
// .hlog files (exact: their intervals add up to the run's histograms); a run whose .hlog is missing shows
// "-" for latencies. Rates are recomputed from result.json's per-second figures and measured window;
// per-subscription latencies are not stored and show "-". Errors name the .hlog file that cannot be read.
Result<ExperimentResult> ReadRunTableInput(const nlohmann::json& result, const std::string& dir);

}  // namespace bakeoff
