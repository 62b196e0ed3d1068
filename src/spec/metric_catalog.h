// The metrics a threshold (and `bakeoff compare`) can name. Paths follow result.json's `metrics`
// object: `throughput.received_msgs_per_s`, `e2e_latency.corrected.p99` (result.json's
// `e2e_latency_ns` is accepted too), `accounting.lost`.
#pragma once

#include <string>
#include <vector>

namespace bakeoff {

enum class MetricKind {
  kLatencyNs,           // values written as durations ("20ms")
  kCount,               // messages ("0", "1.5M")
  kRate,                // messages per second ("50k", "50k/s")
  kMegabytesPerSecond,  // plain number ("120")
};

struct MetricInfo {
  std::string path;  // canonical
  MetricKind kind;
};

// Every known metric, in a stable order.
const std::vector<MetricInfo>& KnownMetrics();

// The metric named by `path` (canonical or alias); nullptr if unknown.
const MetricInfo* FindMetric(const std::string& path);

// Canonical paths, for did-you-mean suggestions and error messages.
std::vector<std::string> KnownMetricPaths();

}  // namespace bakeoff
