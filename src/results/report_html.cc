#include "results/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>

#include "results/report_svg.h"
#include "results/report_time_charts.h"
#include "results/statistics.h"
#include "results/thresholds.h"
#include "spec/metric_catalog.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

using nlohmann::json;

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}th{background:#f4f4f4}
td.k,th.k{text-align:left}.ok{color:#0a7d28}.bad{color:#c0161b;font-weight:bold}
.note{color:#666;font-size:12px}
)";

using RunRef = ReportRun;

std::string PointText(const json& point) {
  std::string text;
  if (!point.is_object()) return text;
  for (const auto& [path, value] : point.items()) {
    text += (text.empty() ? "" : ", ") + path + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

// "100B, all": the values only, for chart legends (the axes are listed once above the charts).
std::string PointValues(const json& point) {
  std::string text;
  if (!point.is_object()) return text;
  for (const auto& [path, value] : point.items()) {
    text += (text.empty() ? "" : ", ") + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

std::string Duration(double ns) {
  return FormatDurationNs(ns);
}

std::string Value(const json& metrics, const std::string& path) {
  const MetricInfo* info = FindMetric(path);
  std::optional<double> v = MetricValue(metrics, path);
  if (!v || info == nullptr) return "-";
  return FormatMetricValue(info->kind, v.value_or(0));
}

std::string Td(const std::string& text, const char* cls = nullptr) {
  return std::string("<td") + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + HtmlEscape(text) +
         "</td>";
}

std::string Fact(const json& run, const char* section, const char* key) {
  const json& facts = run.contains(section) ? run[section] : json::object();
  return facts.is_object() && facts.contains(key) && facts[key].is_string() ? facts[key].get<std::string>()
                                                                            : "";
}

// Runs against a stand-in (the librdkafka mock cluster, kinesalite), named once above every figure.
std::string StandInNote(const std::vector<RunRef>& runs) {
  std::string items;
  for (const RunRef& r : runs) {
    const std::string stand_in = Fact(*r.run, "environment_facts", "stand_in");
    if (!stand_in.empty()) items += "<li>" + HtmlEscape(r.label) + ": " + HtmlEscape(stand_in) + "</li>";
  }
  if (items.empty()) return "";
  return "<p class=\"bad\" id=\"stand-ins\">Stand-ins, not the real system: every figure of these runs "
         "measures the stand-in.</p><ul>" +
         items + "</ul>\n";
}

std::string OverviewTable(const std::vector<RunRef>& runs) {
  std::string out =
      "<table id=\"table-overview\"><tr><th class=\"k\">run</th><th class=\"k\">delivery guarantee</th>"
      "<th>status</th><th>received msg/s</th>"
      "<th>MB/s</th><th>e2e p50</th><th>e2e p99</th><th>e2e p99.9</th><th>e2e max</th><th>publish p99</th>"
      "<th>thresholds</th></tr>\n";
  for (const RunRef& r : runs) {
    const json& m = (*r.run)["metrics"];
    auto latency = [&](const std::string& stat) {
      return Value(m, "e2e_latency.corrected." + stat) + " (" + Value(m, "e2e_latency.uncorrected." + stat) +
             ")";
    };
    int passed = 0, failed = 0;
    for (const json& t : r.run->value("thresholds", json::array()))
      (t.value("passed", false) ? passed : failed)++;
    // A run whose thresholds failed is not "ok", whatever it measured: the cell says so in red.
    std::string status = r.run->value("status", "");
    if (status == "ok" && failed > 0) status = "threshold_failed";
    const std::string stand_in = Fact(*r.run, "environment_facts", "stand_in");
    const std::string guarantee = Fact(*r.run, "driver_facts", "delivery_guarantee");
    out += "<tr>" + Td(stand_in.empty() ? r.label : r.label + " (stand-in: " + stand_in + ")", "k") +
           Td(guarantee.empty() ? "-" : guarantee, "k") + Td(status, status == "ok" ? "ok" : "bad") +
           Td(Value(m, "throughput.received_msgs_per_s")) + Td(Value(m, "throughput.received_mb_per_s")) +
           Td(latency("p50")) + Td(latency("p99")) + Td(latency("p99_9")) + Td(latency("max")) +
           Td(Value(m, "publish_latency.corrected.p99")) +
           Td(passed + failed == 0 ? "-" : std::to_string(passed) + " ✓ " + std::to_string(failed) + " ✗",
              failed ? "bad" : "ok") +
           "</tr>\n";
  }
  return out +
         "</table><p class=\"note\">Latency cells: corrected from the intended send time (uncorrected from "
         "the actual send in parentheses).</p>\n";
}

// Fan-out: a row per subscription under its run, with its own counts and e2e p99 (acked and send errors are
// the run's, shown once above). Empty for runs with one subscription.
template <size_t N>
std::string SubscriptionRows(const RunRef& r, const char* const (&counts)[N]) {
  const json& metrics = (*r.run)["metrics"];
  if (!metrics.is_object() || !metrics.contains("accounting") ||
      !metrics["accounting"].contains("subscriptions"))
    return "";
  std::string out;
  for (const json& s : metrics["accounting"]["subscriptions"]) {
    if (!s.is_object()) continue;
    std::string p99 = "-";
    if (std::optional<double> v = MetricValue(s, "e2e_latency.corrected.p99")) p99 = Duration(*v);
    out +=
        "<tr>" + Td("  subscription " + std::to_string(s.value("index", 0)) + " (e2e p99 " + p99 + ")", "k");
    for (const char* c : counts) {
      const std::string name = c;
      if (name == "acked" || name == "send_errors") {
        out += Td("");
        continue;
      }
      const std::optional<double> v = MetricValue(s, name);
      const bool bad = v && *v > 0 && (name == "lost" || name == "duplicated" || name == "out_of_order");
      out += Td(v ? FormatMetricValue(MetricKind::kCount, *v) : "-", bad ? "bad" : nullptr);
    }
    out += "</tr>\n";
  }
  return out;
}

std::string AccountingTable(const std::vector<RunRef>& runs) {
  static const char* const kCounts[] = {"sent", "acked",      "send_errors",  "received",
                                        "lost", "duplicated", "out_of_order", "unparseable"};
  std::string out = "<table id=\"table-accounting\"><tr><th class=\"k\">run</th>";
  for (const char* c : kCounts) out += std::string("<th>") + c + "</th>";
  out += "</tr>\n";
  for (const RunRef& r : runs) {
    out += "<tr>" + Td(r.label, "k");
    for (const char* c : kCounts) {
      const std::string path = std::string("accounting.") + c;
      const std::optional<double> v = MetricValue((*r.run)["metrics"], path);
      const bool bad =
          v && v.value_or(0) > 0 &&
          (path == "accounting.lost" || path == "accounting.duplicated" || path == "accounting.out_of_order");
      out += Td(Value((*r.run)["metrics"], path), bad ? "bad" : nullptr);
    }
    out += "</tr>\n";
    out += SubscriptionRows(r, kCounts);
  }
  return out + "</table>\n";
}

// What each run cost: runs[].costs (results/costs.h). Absent when nothing was sampled.
std::string CostsTable(const std::vector<RunRef>& runs) {
  bool any = false;
  for (const RunRef& r : runs) any = any || (*r.run).contains("costs");
  if (!any) return "<p class=\"note\">No cost figures in these results.</p>\n";
  const auto number = [](const json& costs, const char* key, int decimals) -> std::string {
    if (!costs.is_object() || !costs.contains(key) || !costs[key].is_number()) return "-";
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, costs[key].get<double>());
    return buf;
  };
  const auto bytes = [](const json& costs, const char* key) -> std::string {
    if (!costs.is_object() || !costs.contains(key) || !costs[key].is_number()) return "-";
    return FormatBytes(costs[key].get<double>());
  };
  std::string out =
      "<table id=\"table-costs\"><tr><th class=\"k\">run</th><th>server CPU cores</th>"
      "<th>server CPU s</th><th>server peak RSS</th><th>server written</th><th>msg per server CPU-s</th>"
      "<th>MB written per M msg</th><th>client CPU cores</th><th>msg per client CPU-s</th></tr>\n";
  for (const RunRef& r : runs) {
    const json costs = r.run->value("costs", json::object());
    const auto count = [&costs](const char* key) -> std::string {
      if (!costs.contains(key) || !costs[key].is_number()) return "-";
      return FormatCount(costs[key].get<double>());
    };
    out += "<tr>" + Td(r.label, "k") + Td(number(costs, "server_cores", 2)) +
           Td(number(costs, "server_cpu_seconds", 1)) + Td(bytes(costs, "server_peak_rss_bytes")) +
           Td(bytes(costs, "server_bytes_written")) + Td(count("msgs_per_server_cpu_s")) +
           Td(number(costs, "mb_written_per_million_msgs", 1)) + Td(number(costs, "client_cores", 2)) +
           Td(count("msgs_per_client_cpu_s")) + "</tr>\n";
  }
  return out +
         "</table><p class=\"note\">Over the whole load (warm-up, measured window, drain). Server: the "
         "system's own processes, sampled from /proc (local environments only). Client: the bakeoff process "
         "(load generator and client libraries; with the embedded provider the in-process server too).</p>\n";
}

std::string ThresholdTable(const std::vector<RunRef>& runs) {
  std::string rows;
  for (const RunRef& r : runs) {
    for (const json& t : r.run->value("thresholds", json::array())) {
      const bool passed = t.value("passed", false);
      rows += "<tr>" + Td(r.label, "k") + Td(passed ? "✓" : "✗", passed ? "ok" : "bad") +
              Td(t.value("message", ""), "k") + "</tr>\n";
    }
  }
  if (rows.empty()) return "<p class=\"note\">No thresholds in this experiment.</p>\n";
  return "<table id=\"table-thresholds\"><tr><th class=\"k\">run</th><th></th><th "
         "class=\"k\">threshold</th></tr>\n" +
         rows + "</table>\n";
}

// x = log10(1 / (1 - p)): 0 at 0%, 1 at 90%, 2 at 99%, ... as HdrHistogram's percentile plots.
std::string SpectrumChart(const std::vector<RunRef>& runs, const std::string& correction) {
  std::vector<ChartSeries> series;
  for (const RunRef& r : runs) {
    const json& m = (*r.run)["metrics"];
    if (!m.is_object()) continue;
    ChartSeries s{r.label, {}};
    for (const json& point : m["e2e_latency_ns"][correction].value("spectrum", json::array())) {
      const double p = point[0].get<double>();
      if (p >= 100) continue;
      s.points.emplace_back(std::log10(1.0 / (1.0 - p / 100.0)), point[1].get<double>());
    }
    series.push_back(std::move(s));
  }
  ChartAxis x{"percentile",
              nullptr,
              {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}}};
  ChartAxis y{"end-to-end latency (log scale)", Duration, {}};
  y.log = true;
  return LineChartSvg("chart-spectrum-" + correction, "End-to-end latency by percentile (" + correction + ")",
                      series, x, y);
}

std::string BarsChart(const json& summary, const std::string& id, const std::string& metric,
                      const std::string& title) {
  const MetricInfo* info = FindMetric(metric);
  std::vector<BarGroup> groups;
  for (const json& entry : summary) {
    // The values only ("100B, 1k/s"): the matrix's paths are listed once at the top of the page.
    std::string label = PointValues(entry.value("matrix_point", json::object()));
    if (label.empty()) label = "all";
    BarGroup* group = nullptr;
    for (BarGroup& g : groups) {
      if (g.label == label) group = &g;
    }
    if (group == nullptr) group = &groups.emplace_back(BarGroup{label, {}});
    const json& m = entry["metrics"][metric];
    group->bars.push_back({entry.value("system", ""), m.value("mean", 0.0), m.value("ci95_low", 0.0),
                           m.value("ci95_high", 0.0)});
  }
  ChartAxis y{
      title, [info](double v) { return info ? FormatMetricValue(info->kind, v) : std::to_string(v); }, {}};
  const bool latency = info != nullptr && info->kind == MetricKind::kLatencyNs;
  y.log = latency;  // latencies of different systems differ 1000x: dots on a log axis, not bars
  if (latency) y.title += " (log scale)";
  if (!latency) y.unit = AxisUnit::kCount;
  return BarChartSvg(id, title + " by matrix point (mean, 95% interval)", groups, y);
}

std::string SummaryTable(const json& summary) {
  std::string out =
      "<table id=\"table-summary\"><tr><th class=\"k\">system</th><th class=\"k\">matrix "
      "point</th><th>n</th>";
  const std::vector<std::string> shown = {"throughput.received_msgs_per_s", "e2e_latency.corrected.p50",
                                          "e2e_latency.corrected.p99", "e2e_latency.uncorrected.p99"};
  for (const std::string& m : shown) out += "<th>" + HtmlEscape(m) + "</th>";
  out += "</tr>\n";
  for (const json& entry : summary) {
    out += "<tr>" + Td(entry.value("system", ""), "k") +
           Td(entry.value("point_label", std::string("all")), "k") +
           Td(std::to_string(entry.value("repeats", 0)));
    for (const std::string& metric : shown) {
      const MetricInfo* info = FindMetric(metric);
      const json& m = entry["metrics"][metric];
      const double mean = m.value("mean", 0.0),
                   half = (m.value("ci95_high", 0.0) - m.value("ci95_low", 0.0)) / 2;
      out += Td(FormatMetricValue(info->kind, mean) + " ± " + FormatMetricValue(info->kind, half));
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

// What load the runs were under, so that a shared report stands alone: one column per result.
std::string WorkloadTable(const std::vector<const json*>& results) {
  const auto duration = [](const json& w, const char* key) {
    return w.contains(key) && w[key].is_number() ? Duration(w[key].get<double>()) : std::string("-");
  };
  const auto number = [](const json& w, const char* key) {
    return w.contains(key) && w[key].is_number() ? std::to_string(w[key].get<int64_t>()) : std::string("-");
  };
  struct Row {
    const char* what;
    std::function<std::string(const json& experiment, const json& workload)> cell;
  };
  const std::vector<Row> rows = {
      {"rate",
       [](const json&, const json& w) {
         const json rate = w.value("rate", json::object());
         return rate.value("mode", "") == "fixed"
                    ? FormatCount(rate.value("msgs_per_s", 0.0)) + " msg/s (open loop)"
                    : std::string("max (closed loop)");
       }},
      {"message size",
       [](const json&, const json& w) {
         const json size = w.value("message_size", json::object());
         if (size.contains("bytes")) return FormatBytes(size.value("bytes", 0.0)) + " fixed";
         return size.value("distribution", std::string("?")) + " " +
                FormatBytes(size.value("min_bytes", 0.0)) + " .. " +
                FormatBytes(size.value("max_bytes", 0.0)) + ", mean " +
                FormatBytes(size.value("mean_bytes", 0.0));
       }},
      {"topics x partitions",
       [number](const json&, const json& w) {
         return number(w, "topics") + " x " + number(w, "partitions");
       }},
      {"producers", [number](const json&, const json& w) { return number(w, "producers"); }},
      {"consumers (subscriptions)",
       [number](const json&, const json& w) {
         return number(w, "consumers") + " (" + number(w, "subscriptions") + ")";
       }},
      {"keys",
       [](const json&, const json& w) {
         const json keys = w.value("keys", json::object());
         std::string text = keys.value("distribution", std::string("none"));
         if (keys.contains("count")) text += ", " + keys["count"].dump() + " keys";
         return text;
       }},
      {"payload",
       [](const json&, const json& w) {
         return w.value("payload", json::object()).value("kind", std::string("-"));
       }},
      {"warm-up", [duration](const json&, const json& w) { return duration(w, "warmup_ns"); }},
      {"duration (measured)", [duration](const json&, const json& w) { return duration(w, "duration_ns"); }},
      {"drain timeout", [duration](const json&, const json& w) { return duration(w, "drain_timeout_ns"); }},
      {"message cap",
       [](const json&, const json& w) {
         return w.contains("messages") && w["messages"].is_number() ? FormatCount(w["messages"].get<double>())
                                                                    : std::string("none");
       }},
      {"matrix",
       [](const json& e, const json&) {
         std::string text;
         for (const json& axis : e.value("matrix", json::array()))
           text += (text.empty() ? "" : "; ") + axis.value("path", std::string("")) + " = " +
                   axis.value("values", json::array()).dump();
         return text.empty() ? std::string("none") : text + " (overrides the values above)";
       }},
      {"repeats", [](const json& e, const json&) { return std::to_string(e.value("repeat", 1)); }},
      {"systems",
       [](const json& e, const json&) {
         std::string text;
         for (const json& sys : e.value("systems", json::array()))
           text += (text.empty() ? "" : ", ") + sys.value("name", std::string("")) + " (" +
                   sys.value("driver", std::string("")) + ", " +
                   sys.value("environment", json::object()).value("provider", std::string("")) + ")";
         return text;
       }},
  };
  std::string out = "<table id=\"table-workload\"><tr><th class=\"k\">workload</th>";
  for (const json* r : results)
    out += "<th class=\"k\">" + HtmlEscape((*r)["experiment"].value("name", std::string(""))) + "</th>";
  out += "</tr>\n";
  for (const Row& row : rows) {
    out += "<tr>" + Td(row.what, "k");
    for (const json* r : results) {
      const json& e = (*r)["experiment"];
      out += Td(row.cell(e, e.value("workload", json::object())), "k");
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string EnvironmentTable(const std::vector<const json*>& results, const std::vector<RunRef>& runs) {
  std::string out =
      "<table id=\"table-environment\"><tr><th class=\"k\">what</th><th class=\"k\">fact</th></tr>\n";
  for (const json* r : results) {
    const json& host = (*r)["environment"]["host"];
    out += "<tr>" + Td("host", "k") +
           Td(host.value("hostname", "") + ", " + host.value("cpu_model", "") + " x " +
                  std::to_string(host.value("cpu_count", 0)) + ", kernel " + host.value("kernel", "") + ", " +
                  FormatBytes(host.value("memory_bytes", 0.0)) + " memory",
              "k") +
           "</tr>\n";
    out += "<tr>" + Td("bakeoff", "k") + Td(r->value("bakeoff_version", ""), "k") + "</tr>\n";
  }
  std::vector<std::string> seen;
  for (const RunRef& r : runs) {
    const std::string system = r.run->value("system", "");
    if (std::find(seen.begin(), seen.end(), system) != seen.end()) continue;
    seen.push_back(system);
    for (const char* section : {"environment_facts", "driver_facts", "resource_usage"}) {
      if (!r.run->contains(section) || !(*r.run)[section].is_object()) continue;
      for (const auto& [key, value] : (*r.run)[section].items()) {
        out += "<tr>" + Td(system + " " + section + " " + key, "k") +
               Td(value.is_string() ? value.get<std::string>() : value.dump(), "k") + "</tr>\n";
      }
    }
  }
  return out + "</table>\n";
}

std::string Rate(double per_s) {
  return FormatCount(per_s) + "/s";
}

// "10500 msg/s": the search's answer, not rounded to two digits.
std::string ExactRate(double per_s) {
  char text[48];
  std::snprintf(text, sizeof(text), "%.0f msg/s", per_s);
  return text;
}

std::string P99(const json& latency) {
  return Duration(latency.value("corrected", json::object()).value("p99", 0.0));
}

// Rate steps, ramp pieces and a find_max search's steps, one table per run that has them.
std::string StepsSection(const std::vector<RunRef>& runs) {
  std::string out;
  for (const RunRef& r : runs) {
    const json& run = *r.run;
    if (!run.contains("steps") || !run["steps"].is_array()) continue;
    out += "<h3>" + HtmlEscape(r.label) + "</h3>\n";
    if (run.contains("find_max")) {
      const json& f = run["find_max"];
      const bool found = f.value("found", false);
      out += std::string("<p id=\"find-max-result\" class=\"") + (found ? "ok" : "bad") +
             "\">Max sustainable rate: " +
             (found ? ExactRate(f.value("found_rate", 0.0)) : std::string("none found")) + " (" +
             HtmlEscape(f.value("objective", "")) + "; " + std::to_string(f.value("steps", 0)) +
             " steps, ended: " + HtmlEscape(f.value("ended", "")) + ")</p>\n";
    }
    out +=
        "<table class=\"steps\"><tr><th>step</th><th>target</th><th>sent/s</th><th>received/s</th>"
        "<th>e2e p99 (corrected)</th><th>publish p99 (corrected)</th><th>backlog growth</th><th "
        "class=\"k\">met</th></tr>\n";
    int index = 0;
    for (const json& step : run["steps"]) {
      const bool met = step.value("met", false);
      out +=
          "<tr>" + Td(std::to_string(++index)) + Td(Rate(step.value("rate_target", 0.0))) +
          Td(Rate(step.value("sent_per_s", 0.0))) + Td(Rate(step.value("received_per_s", 0.0))) +
          Td(P99(step.value("e2e_latency_ns", json::object()))) +
          Td(P99(step.value("publish_latency_ns", json::object()))) +
          Td(FormatCount(step.value("backlog_growth", 0.0))) +
          Td(met ? std::string("yes") : "no: " + step.value("why", std::string()), met ? "k ok" : "k bad") +
          "</tr>\n";
    }
    out += "</table>\n";
  }
  return out;
}

// A backlog's build, drain and what followed, one table per run that has one.
std::string BacklogSection(const std::vector<RunRef>& runs) {
  std::string out;
  for (const RunRef& r : runs) {
    const json& run = *r.run;
    if (!run.contains("backlog") || !run["backlog"].is_object()) continue;
    const json& b = run["backlog"];
    auto row = [](const std::string& what, const std::string& value) {
      return "<tr>" + Td(what, "k") + Td(value) + "</tr>\n";
    };
    out += "<h3>" + HtmlEscape(r.label) + "</h3>\n<table id=\"table-backlog\">";
    out += row("backlog built", FormatCount(b.value("messages", 0.0)) + " messages, " +
                                    FormatBytes(b.value("bytes", 0.0)) + " in " +
                                    Duration(b.value("build_s", 0.0) * 1e9));
    out += row("drain time",
               Duration(b.value("drain_s", 0.0) * 1e9) +
                   (b.value("drained", false) ? std::string() : std::string(" (not drained: max_drain)")));
    out += row("drain read rate", Rate(b.value("drain_read_per_s", 0.0)));
    out += row("producer rate during drain", Rate(b.value("producer_rate_during_drain", 0.0)));
    out += row("publish p99 during drain", P99(b.value("publish_latency_during_drain_ns", json::object())));
    out += row("e2e p99 during drain", P99(b.value("e2e_latency_during_drain_ns", json::object())));
    out += row("e2e p99 after drain", P99(b.value("e2e_latency_after_drain_ns", json::object())));
    out += "</table>\n";
  }
  return out;
}

}  // namespace

std::string RenderReportHtml(const std::vector<json>& input) {
  std::vector<const json*> results;
  results.reserve(input.size());
  for (const json& r : input) results.push_back(&r);
  std::vector<RunRef> runs;
  json summary = json::array();
  std::string title;
  for (const json* r : results) {
    const std::string name = (*r)["experiment"].value("name", "");
    title += (title.empty() ? "" : " + ") + name;
    const bool repeats = (*r)["experiment"].value("repeat", 1) > 1;
    if (!r->contains("runs") || !(*r)["runs"].is_array()) continue;
    for (const json& run : (*r)["runs"]) {  // RunRef keeps pointers: iterate the document, not a copy
      std::string label = run.value("system", "");
      std::string point = PointValues(run.value("matrix_point", json::object()));
      if (!point.empty()) label += " " + point;
      if (repeats) label += " #" + std::to_string(run.value("repeat_index", 0) + 1);
      if (results.size() > 1) label = name + ": " + label;
      runs.push_back({r, &run, label});
    }
    for (json entry : r->contains("summary") ? (*r)["summary"] : SummarizeRuns((*r)["runs"])) {
      std::string point = PointText(entry.value("matrix_point", json::object()));
      entry["point_label"] = point.empty() ? "all" : point;
      if (results.size() > 1) entry["system"] = name + ": " + entry.value("system", "");
      summary.push_back(std::move(entry));
    }
  }
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bakeoff: " +
                    HtmlEscape(title) + "</title><style>" + kStyle + ChartStyle() + "</style></head><body>\n";
  out += "<h1>bakeoff report: " + HtmlEscape(title) + "</h1>\n";
  for (const json* r : results) {
    const std::string description = (*r)["experiment"].value("description", "");
    if (!description.empty()) out += "<p>" + HtmlEscape(description) + "</p>\n";
    for (const json& axis : (*r)["experiment"].value("matrix", json::array())) {
      out += "<p>Matrix: <code>" + HtmlEscape(axis.value("path", "")) +
             "</code> = " + HtmlEscape(axis.value("values", json::array()).dump()) + "</p>\n";
    }
    if ((*r)["experiment"].value("repeat", 1) > 1) {
      out += "<p>Repeats: " + std::to_string((*r)["experiment"].value("repeat", 1)) +
             " per system and point.</p>\n";
    }
    if (r->value("partial", false))
      out += "<p class=\"bad\">Partial results: the experiment was interrupted.</p>\n";
  }
  out += "<h2>Workload</h2>\n" + WorkloadTable(results);
  out += StandInNote(runs);
  out += "<h2>Overview</h2>\n" + OverviewTable(runs);
  out += "<h2>Thresholds</h2>\n" + ThresholdTable(runs);
  out += "<h2>Over time</h2>\n" + ThroughputChart(runs) + P99OverTimeChart(runs) + BacklogChart(runs);
  out += "<h2>Latency percentile spectrum</h2>\n" + SpectrumChart(runs, "corrected") +
         SpectrumChart(runs, "uncorrected");
  out += "<h2>Across matrix points and repeats</h2>\n" + SummaryTable(summary) +
         BarsChart(summary, "chart-bars-throughput", "throughput.received_msgs_per_s", "received msg/s") +
         BarsChart(summary, "chart-bars-e2e-p99", "e2e_latency.corrected.p99", "e2e p99 (corrected)");
  if (const std::string steps = StepsSection(runs); !steps.empty()) out += "<h2>Rate steps</h2>\n" + steps;
  if (const std::string backlog = BacklogSection(runs); !backlog.empty())
    out += "<h2>Backlog build and drain</h2>\n" + backlog;
  out += "<h2>Accounting</h2>\n" + AccountingTable(runs);
  out += "<h2>Costs</h2>\n" + CostsTable(runs);
  out += "<h2>Environment</h2>\n" + EnvironmentTable(results, runs);
  out += "<p class=\"note\">Generated by bakeoff. Self-contained: no scripts, no external resources.</p>\n";
  return out + "</body></html>\n";
}

}  // namespace bakeoff
