// JSON form of results (result.json) and of the resolved experiment.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "results/result.h"

namespace bakeoff {

nlohmann::json ExperimentToJson(const Experiment& experiment);
nlohmann::json HistogramSummaryToJson(const Histogram& histogram);
nlohmann::json RunMetricsToJson(const RunMetrics& metrics);
nlohmann::json ResourcesToJson(const std::vector<ProcessUsage>& resources);
nlohmann::json ResultToJson(const ExperimentResult& result);

// Writes `dir`/result.json atomically (temp file + rename), creating `dir` if needed.
Status WriteResultFile(const ExperimentResult& result, const std::string& dir);

// "hlog/run-03-mem.hlog" for the run at `run_index` (0-based) of a result.
std::string HlogFileName(size_t run_index, const std::string& system);

}  // namespace bakeoff
