// report.html: one self-contained page (inline CSS and SVG, no script, no external resources) for one
// or more result.json documents. Chart element ids (stable, tests rely on them): chart-throughput,
// chart-p99-over-time, chart-backlog (report_time_charts.h),
// chart-spectrum-corrected, chart-spectrum-uncorrected, chart-bars-throughput, chart-bars-e2e-p99;
// tables: table-workload, table-overview, table-summary, table-accounting, table-thresholds,
// table-environment.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bakeoff {

// `results` are result.json documents; several are merged into one page (runs labelled by experiment).
std::string RenderReportHtml(const std::vector<nlohmann::json>& results);

}  // namespace bakeoff
