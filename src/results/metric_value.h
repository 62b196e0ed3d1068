// Reading one metric out of a run's metrics JSON by its threshold path, and printing it in its unit.
// Shared by thresholds, statistics and reports.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "spec/metric_catalog.h"

namespace bakeoff {

// The value of a canonical metric path (spec/metric_catalog.h) in a run's `metrics` JSON object;
// nullopt if absent.
std::optional<double> MetricValue(const nlohmann::json& metrics, const std::string& metric_path);

// "25.1 ms", "1.2 M msg/s", "3", "12.50 MB/s".
std::string FormatMetricValue(MetricKind kind, double value);

}  // namespace bakeoff
