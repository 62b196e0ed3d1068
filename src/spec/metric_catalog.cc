#include "spec/metric_catalog.h"

namespace bakeoff {

const std::vector<MetricInfo>& KnownMetrics() {
  static const std::vector<MetricInfo> kMetrics = [] {
    std::vector<MetricInfo> metrics = {
        {"throughput.sent_msgs_per_s", MetricKind::kRate},
        {"throughput.received_msgs_per_s", MetricKind::kRate},
        {"throughput.received_mb_per_s", MetricKind::kMegabytesPerSecond},
    };
    for (const char* which : {"publish_latency", "e2e_latency"}) {
      for (const char* correction : {"corrected", "uncorrected"}) {
        for (const char* stat : {"p50", "p90", "p99", "p99_9", "p99_99", "p99_999", "max", "min", "mean"}) {
          metrics.push_back({std::string(which) + "." + correction + "." + stat, MetricKind::kLatencyNs});
        }
      }
    }
    for (const char* count :
         {"sent", "acked", "send_errors", "received", "lost", "duplicated", "out_of_order", "unparseable"}) {
      metrics.push_back({std::string("accounting.") + count, MetricKind::kCount});
    }
    return metrics;
  }();
  return kMetrics;
}

const MetricInfo* FindMetric(const std::string& path) {
  std::string canonical = path;
  // result.json names latency objects with their unit: `e2e_latency_ns.corrected.p99`.
  for (const char* prefix : {"publish_latency", "e2e_latency"}) {
    const std::string with_unit = std::string(prefix) + "_ns.";
    if (canonical.rfind(with_unit, 0) == 0) {
      canonical = std::string(prefix) + "." + canonical.substr(with_unit.size());
    }
  }
  for (const MetricInfo& metric : KnownMetrics()) {
    if (metric.path == canonical) return &metric;
  }
  return nullptr;
}

std::vector<std::string> KnownMetricPaths() {
  std::vector<std::string> paths;
  for (const MetricInfo& metric : KnownMetrics()) paths.push_back(metric.path);
  return paths;
}

}  // namespace bakeoff
