// Thresholds (SLOs) checked against a run's metrics, and the metric look-up shared with compare and the
// report: metrics are read from the same JSON that result.json holds, so the names always agree.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/metric_value.h"
#include "results/result.h"
#include "spec/metric_catalog.h"

namespace bakeoff {

// The thresholds of `thresholds` whose scope is "all" or `system`, each checked against `metrics`.
std::vector<ThresholdOutcome> EvaluateThresholds(const std::vector<ThresholdSpec>& thresholds,
                                                 const std::string& system, const RunMetrics& metrics);

// "✓ e2e_latency.corrected.p99 < 20ms (actual 1.2 ms)" / "✗ ... : 25.1 ms, 5.1 ms (26%) over".
std::string ThresholdLine(const ThresholdOutcome& outcome);

// "system a [workload.message_size=1KiB, repeat 2]"; just the system name for a single run.
std::string RunLabel(const RunRecord& run, bool with_repeat);

// The thresholds section printed after the summary table: one marked line per threshold and run, then
// "thresholds: N passed, M failed". Empty when the experiment has no thresholds.
std::string RenderThresholdReport(const ExperimentResult& result);

}  // namespace bakeoff
