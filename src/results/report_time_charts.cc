#include "results/report_time_charts.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "results/report_svg.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

using nlohmann::json;
using RunRef = ReportRun;

// A matrix point's value for `path` ("workload.rate"), or "" when the point does not set it.
std::string PointValue(const json& run, const std::string& path) {
  const json point = run.value("matrix_point", json::object());
  if (!point.is_object() || !point.contains(path)) return "";
  return point[path].is_string() ? point[path].get<std::string>() : point[path].dump();
}

// The phases of a run on its series' clock (seconds since the producers started): warm-up until
// `measured_from_s`, the measured window until `measured_to_s`, the drain until `last_s`.
struct RunPhases {
  double measured_from_s = 0, measured_to_s = 0, last_s = 0;
};

RunPhases PhasesOf(const RunRef& r) {
  const json& workload = (*r.result)["experiment"].value("workload", json::object());
  double warmup_ns = workload.value("warmup_ns", 0.0);
  if (const std::string text = PointValue(*r.run, "workload.warmup"); !text.empty()) {
    if (Result<int64_t> ns = ParseDurationNs(text); ns.ok()) warmup_ns = static_cast<double>(*ns);
  }
  const json& m = (*r.run)["metrics"];
  RunPhases phases;
  phases.measured_from_s = warmup_ns / 1e9;
  phases.measured_to_s = phases.measured_from_s + (m.is_object() ? m.value("measured_ns", 0.0) : 0) / 1e9;
  if (m.is_object()) {
    for (const json& sample : m.value("series", json::array()))
      phases.last_s = std::max(phases.last_s, sample.value("t_s", 0.0));
  }
  return phases;
}

// The target rate of a fixed-rate run in msg/s (nullopt for `max`).
std::optional<double> TargetRate(const RunRef& r) {
  const json& rate =
      (*r.result)["experiment"].value("workload", json::object()).value("rate", json::object());
  std::optional<double> target;
  if (rate.value("mode", "") == "fixed") target = rate.value("msgs_per_s", 0.0);
  if (const std::string text = PointValue(*r.run, "workload.rate"); !text.empty()) {
    Result<double> parsed = ParseRatePerSecond(text);
    target = parsed.ok() ? std::optional<double>(*parsed) : std::nullopt;  // "max"
  }
  return target;
}

// Warm-up and drain shaded (once per distinct set of phase boundaries among the runs).
ChartDecorations PhaseBands(const std::vector<RunRef>& runs) {
  ChartDecorations out;
  std::vector<std::pair<double, double>> seen;
  double last_s = 0;
  for (const RunRef& r : runs) last_s = std::max(last_s, PhasesOf(r).last_s);
  for (const RunRef& r : runs) {
    const RunPhases p = PhasesOf(r);
    const auto key = std::make_pair(std::round(p.measured_from_s * 100), std::round(p.measured_to_s * 100));
    if (std::find(seen.begin(), seen.end(), key) != seen.end() || seen.size() >= 4) continue;
    seen.push_back(key);
    if (p.measured_from_s > 0) out.bands.push_back({0, p.measured_from_s, "warm-up", "warmup"});
    if (last_s > p.measured_to_s && p.measured_to_s > p.measured_from_s)
      out.bands.push_back({p.measured_to_s, last_s, "drain", "drain"});
  }
  return out;
}

ChartAxis TimeAxis() {
  ChartAxis x{"seconds since the producers started (warm-up and drain shaded)", nullptr, {}};
  x.unit = AxisUnit::kSeconds;
  return x;
}

// One series per run from its per-second samples: `value(sample, seconds, state)`; `state` carries a
// running total (the backlog).
template <typename F>
std::vector<ChartSeries> PerSecondSeries(const std::vector<RunRef>& runs, F value) {
  std::vector<ChartSeries> series;
  for (const RunRef& r : runs) {
    const json& m = (*r.run)["metrics"];
    if (!m.is_object()) continue;
    ChartSeries s{r.label, {}};
    double last_t = 0, state = 0;
    for (const json& sample : m.value("series", json::array())) {
      const double t = sample.value("t_s", 0.0);
      const double seconds = t - last_t > 0 ? t - last_t : 1;
      s.points.emplace_back(t, value(sample, seconds, state));
      last_t = t;
    }
    series.push_back(std::move(s));
  }
  return series;
}

}  // namespace

std::string ThroughputChart(const std::vector<RunRef>& runs) {
  ChartDecorations decorations = PhaseBands(runs);
  for (const RunRef& r : runs) {
    const std::optional<double> target = TargetRate(r);
    if (!target || *target <= 0) continue;
    bool seen = false;
    for (const ChartLine& line : decorations.lines) seen = seen || line.y == *target;
    if (!seen) decorations.lines.push_back({*target, "target " + FormatCount(*target) + " msg/s"});
  }
  ChartAxis y{"received msg/s", nullptr, {}};
  y.unit = AxisUnit::kCount;
  return LineChartSvg("chart-throughput", "Received messages per second (target rate dashed)",
                      PerSecondSeries(runs, [](const json& sample, double seconds,
                                               double&) { return sample.value("received", 0.0) / seconds; }),
                      TimeAxis(), y, decorations);
}

// Corrected end-to-end p99 of each second, on a log axis (a stall jumps 1000x). Seconds without a
// measured message (warm-up) are left out.
std::string P99OverTimeChart(const std::vector<RunRef>& runs) {
  ChartAxis y{"end-to-end p99 per second (log scale)", [](double ns) { return FormatDurationNs(ns); }, {}};
  y.log = true;
  return LineChartSvg("chart-p99-over-time", "End-to-end p99 (corrected) per second",
                      PerSecondSeries(runs, [](const json& sample, double,
                                               double&) { return sample.value("e2e_p99_ns", 0.0); }),
                      TimeAxis(), y, PhaseBands(runs));
}

// Messages sent but not yet received (per subscription: each owes every message), at the end of each
// second; a backlog that grows through the measured window means the system does not keep up.
std::string BacklogChart(const std::vector<RunRef>& runs) {
  ChartAxis y{"backlog (sent, not yet received)", nullptr, {}};
  y.unit = AxisUnit::kCount;
  std::vector<ChartSeries> series;
  for (const RunRef& r : runs) {
    const double subscriptions = std::max(
        1.0, (*r.result)["experiment"].value("workload", json::object()).value("subscriptions", 1.0));
    std::vector<ChartSeries> one =
        PerSecondSeries(std::vector<RunRef>{r}, [subscriptions](const json& sample, double, double& backlog) {
          backlog += sample.value("sent", 0.0) * subscriptions - sample.value("received", 0.0);
          return std::max(0.0, backlog);
        });
    for (ChartSeries& s : one) series.push_back(std::move(s));
  }
  return LineChartSvg("chart-backlog", "Backlog over time", series, TimeAxis(), y, PhaseBands(runs));
}

}  // namespace bakeoff
