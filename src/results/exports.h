// Files written beside result.json: results.csv (one row per run, stable column names) and one
// HdrHistogram interval log per run (hlog/run-NN-<system>.hlog) with the corrected latency per second.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "results/result.h"
#include "results/result_json.h"

namespace bakeoff {

// The CSV header's columns, in order. Never rename or reorder; add at the end.
const std::vector<std::string>& CsvColumns();

// results.csv from a result.json document (so it can be regenerated from stored results).
std::string RenderCsv(const nlohmann::json& result);

// The run's .hlog. Times are seconds since the producers started (StartTime/BaseTime = their start, as
// result.json's series). Tags e2e_corrected and publish_corrected: one interval per second of
// RunMetrics::intervals, from the start of the measured window (warm-up seconds hold no measured
// messages and are left out; the second that straddles the window's start begins at it) to the end of
// the drain, the last one partial; their counts add up to the run's corrected histograms. Tags
// e2e_uncorrected and publish_uncorrected: one interval spanning the same time. Without per-second
// intervals (metrics not from RunWorkload) every tag gets one interval over the measured window.
std::string RenderRunHlog(const RunRecord& run);

// Writes `text` to `path` through a temp file and a rename.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace bakeoff
