#include "results/metric_value.h"

#include <cstdio>

#include "spec/units.h"

namespace bakeoff {

using nlohmann::json;

std::optional<double> MetricValue(const json& metrics, const std::string& metric_path) {
  if (!metrics.is_object()) return std::nullopt;
  const json* node = &metrics;
  size_t start = 0;
  bool first = true;
  while (start <= metric_path.size()) {
    size_t dot = metric_path.find('.', start);
    if (dot == std::string::npos) dot = metric_path.size();
    std::string key = metric_path.substr(start, dot - start);
    if (first && (key == "publish_latency" || key == "e2e_latency")) key += "_ns";
    first = false;
    if (!node->is_object() || !node->contains(key)) return std::nullopt;
    node = &(*node)[key];
    start = dot + 1;
  }
  if (!node->is_number()) return std::nullopt;
  return node->get<double>();
}

std::string FormatMetricValue(MetricKind kind, double value) {
  char buffer[64];
  switch (kind) {
    case MetricKind::kLatencyNs:
      return FormatDurationNs(value);
    case MetricKind::kCount:
      std::snprintf(buffer, sizeof(buffer), "%.0f", value);
      return buffer;
    case MetricKind::kRate:
      return FormatCount(value) + " msg/s";
    case MetricKind::kMegabytesPerSecond:
      std::snprintf(buffer, sizeof(buffer), "%.2f MB/s", value);
      return buffer;
  }
  return "";
}

}  // namespace bakeoff
