// report.html's charts over time (received msg/s, e2e p99 and backlog per second, warm-up and drain
// shaded, the target rate drawn): a part of report_html.cc, split out to keep files small.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bakeoff {

// One run on the page: its result.json document, the run inside it, and its label in legends.
struct ReportRun {
  const nlohmann::json* result;
  const nlohmann::json* run;
  std::string label;
};

// Element ids: chart-throughput, chart-p99-over-time, chart-backlog.
std::string ThroughputChart(const std::vector<ReportRun>& runs);
std::string P99OverTimeChart(const std::vector<ReportRun>& runs);
std::string BacklogChart(const std::vector<ReportRun>& runs);

}  // namespace bakeoff
