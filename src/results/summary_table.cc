#include "results/summary_table.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>
#include <vector>

#include "results/costs.h"
#include "results/run_labels.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

using Row = std::vector<std::string>;

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string LatencyCell(const LatencyPair& pair, double percentile, bool is_max) {
  if (pair.corrected.total_count() == 0) return "-";
  const int64_t corrected = is_max ? pair.corrected.max() : pair.corrected.ValueAtPercentile(percentile);
  const int64_t uncorrected =
      is_max ? pair.uncorrected.max() : pair.uncorrected.ValueAtPercentile(percentile);
  return FormatDurationNs(static_cast<double>(corrected)) + " (" +
         FormatDurationNs(static_cast<double>(uncorrected)) + ")";
}

void AddLatencyRows(std::vector<Row>& rows, const std::string& title, const ExperimentResult& result,
                    const LatencyPair RunMetrics::*which) {
  const struct {
    const char* label;
    double percentile;
    bool is_max;
  } points[] = {{"p50", 50, false},
                {"p99", 99, false},
                {"p99.9", 99.9, false},
                {"p99.99", 99.99, false},
                {"max", 100, true}};
  for (const auto& point : points) {
    Row row{title + " " + point.label};
    for (const RunRecord& run : result.runs) {
      row.push_back(run.has_metrics ? LatencyCell(run.metrics.*which, point.percentile, point.is_max) : "-");
    }
    rows.push_back(std::move(row));
  }
}

// Server CPU, memory and writes, the load generator's CPU and the per-message ratios, when measured.
void AddCostRows(std::vector<Row>& rows, const ExperimentResult& result) {
  std::vector<RunCosts> costs;
  bool any_server = false, any_client = false;
  for (const RunRecord& run : result.runs) {
    costs.push_back(ComputeCosts(run));
    any_server = any_server || costs.back().has_server;
    any_client = any_client || costs.back().client_cpu_seconds > 0;
  }
  const auto add = [&rows, &costs](const std::string& label, auto cell) {
    Row row{label};
    for (const RunCosts& c : costs) row.push_back(cell(c));
    rows.push_back(std::move(row));
  };
  const auto optional = [](const std::optional<double>& v, auto format) {
    return v ? format(*v) : std::string("-");
  };
  if (any_server) {
    add("server CPU cores", [](const RunCosts& c) {
      return c.has_server ? Fixed(c.server_cores, 2) + " (" + Fixed(c.server_cpu_seconds, 1) + " s)" : "-";
    });
    add("server peak RSS", [](const RunCosts& c) {
      return c.has_server ? FormatBytes(static_cast<double>(c.server_peak_rss_bytes)) : "-";
    });
    add("server written", [](const RunCosts& c) {
      return c.has_server ? FormatBytes(static_cast<double>(c.server_bytes_written)) : "-";
    });
    add("msg per server CPU-s", [&](const RunCosts& c) {
      return optional(c.msgs_per_server_cpu_s, [](double v) { return FormatCount(v); });
    });
    add("MB written per M msg", [&](const RunCosts& c) {
      return optional(c.mb_written_per_million_msgs, [](double v) { return Fixed(v, 1); });
    });
  }
  if (any_client) {
    add("client CPU cores", [](const RunCosts& c) {
      return c.span_s > 0 ? Fixed(c.client_cores, 2) + " (" + Fixed(c.client_cpu_seconds, 1) + " s)" : "-";
    });
  }
}

// Fan-out: per subscription, its own received/lost/duplicated and e2e p99 (rows only when some run has
// more than one subscription; "-" for runs with fewer).
void AddSubscriptionRows(std::vector<Row>& rows, const ExperimentResult& result) {
  size_t most = 0;
  for (const RunRecord& run : result.runs) {
    if (run.has_metrics) most = std::max(most, run.metrics.subscriptions.size());
  }
  for (size_t k = 0; k < most; ++k) {
    Row counts{"sub " + std::to_string(k) + " rcv/lost/dup"};
    Row latency{"sub " + std::to_string(k) + " e2e p99"};
    for (const RunRecord& run : result.runs) {
      if (!run.has_metrics || k >= run.metrics.subscriptions.size()) {
        counts.push_back("-");
        latency.push_back("-");
        continue;
      }
      const SubscriptionMetrics& s = run.metrics.subscriptions[k];
      counts.push_back(std::to_string(s.accounting.received) + "/" + std::to_string(s.accounting.lost) + "/" +
                       std::to_string(s.accounting.duplicated));
      latency.push_back(LatencyCell(s.e2e, 99, false));
    }
    rows.push_back(std::move(counts));
    rows.push_back(std::move(latency));
  }
}

}  // namespace

std::string RenderSummaryTable(const ExperimentResult& result) {
  std::vector<Row> rows;
  Row header{""};
  for (const std::string& label : RunColumnLabels(result)) header.push_back(label);
  rows.push_back(header);

  auto add = [&rows, &result](const std::string& label, auto cell) {
    Row row{label};
    for (const RunRecord& run : result.runs) row.push_back(run.has_metrics ? cell(run.metrics) : "-");
    rows.push_back(std::move(row));
  };
  {
    Row row{"status"};
    for (const RunRecord& run : result.runs) {
      std::string status = RunStatusName(run.status);
      if (run.has_metrics && run.metrics.partial) status += " (partial)";
      row.push_back(status);
    }
    rows.push_back(std::move(row));
  }
  // What an ack meant, as the driver read it back from the system: a fire-and-forget publish latency
  // must not be read as if it were an acked one.
  {
    Row row{"delivery guarantee"};
    for (const RunRecord& run : result.runs) row.push_back(DeliveryGuarantee(run));
    rows.push_back(std::move(row));
  }
  {
    Row row{"stand-in"};
    bool any = false;
    for (const RunRecord& run : result.runs) {
      const std::string stand_in = StandIn(run);
      any = any || !stand_in.empty();
      row.push_back(stand_in.empty() ? "-" : stand_in);
    }
    if (any) rows.push_back(std::move(row));
  }
  add("rate mode", [](const RunMetrics& m) {
    if (m.find_max) return std::string("find_max");
    if (!m.steps.empty()) return std::string("steps");
    if (m.backlog) return std::string("backlog");
    return std::string(m.closed_loop ? "max" : "fixed");
  });
  const bool any_search = std::any_of(result.runs.begin(), result.runs.end(),
                                      [](const RunRecord& r) { return r.has_metrics && r.metrics.find_max; });
  if (any_search) {
    add("max sustainable msg/s", [](const RunMetrics& m) {
      if (!m.find_max) return std::string("-");
      return m.find_max->found ? FormatCount(m.find_max->found_rate) : std::string("none");
    });
  }
  const bool any_backlog = std::any_of(result.runs.begin(), result.runs.end(),
                                       [](const RunRecord& r) { return r.has_metrics && r.metrics.backlog; });
  if (any_backlog) {
    add("backlog built", [](const RunMetrics& m) {
      return m.backlog ? FormatCount(static_cast<double>(m.backlog->messages)) : std::string("-");
    });
    add("drain time", [](const RunMetrics& m) {
      if (!m.backlog) return std::string("-");
      return FormatDurationNs(m.backlog->drain_s * 1e9) + (m.backlog->drained ? "" : " (not drained)");
    });
    add("drain read msg/s", [](const RunMetrics& m) {
      return m.backlog ? FormatCount(m.backlog->drain_read_per_s) : std::string("-");
    });
  }
  add("sent msg/s", [](const RunMetrics& m) { return FormatCount(m.sent_msgs_per_s()); });
  add("received msg/s", [](const RunMetrics& m) { return FormatCount(m.received_msgs_per_s()); });
  add("received MB/s", [](const RunMetrics& m) { return Fixed(m.received_mb_per_s(), 1); });
  AddLatencyRows(rows, "publish", result, &RunMetrics::publish);
  AddLatencyRows(rows, "e2e", result, &RunMetrics::e2e);
  add("sent", [](const RunMetrics& m) { return std::to_string(m.accounting.sent); });
  add("acked", [](const RunMetrics& m) { return std::to_string(m.accounting.acked); });
  add("received", [](const RunMetrics& m) { return std::to_string(m.accounting.received); });
  add("lost", [](const RunMetrics& m) { return std::to_string(m.accounting.lost); });
  add("duplicated", [](const RunMetrics& m) { return std::to_string(m.accounting.duplicated); });
  {
    // Counted either way; where the driver as configured promises no order, it is information only.
    Row row{"out of order"};
    for (const RunRecord& run : result.runs) {
      if (!run.has_metrics) {
        row.push_back("-");
        continue;
      }
      std::string cell = std::to_string(run.metrics.accounting.out_of_order);
      if (run.promises && !run.promises->ordered_per_stream) cell += " (no order promised)";
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  add("send errors", [](const RunMetrics& m) { return std::to_string(m.accounting.send_errors); });
  AddSubscriptionRows(rows, result);
  AddCostRows(rows, result);

  std::vector<size_t> widths(header.size(), 0);
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::ostringstream out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < rows[r].size(); ++i) {
      const std::string& cell = rows[r][i];
      if (i == 0) {
        out << cell << std::string(widths[0] - cell.size(), ' ');
      } else {
        out << "  " << std::string(widths[i] - cell.size(), ' ') << cell;
      }
    }
    out << "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : widths) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
  out << "latency cells: corrected from the intended send time (uncorrected from the actual send)\n";
  for (const std::string& line : PointLegend(result)) out << line << "\n";
  bool costs = false;
  for (const RunRecord& run : result.runs)
    costs = costs || !run.resources.empty() || run.client_cpu_seconds > 0;
  if (costs) {
    out << "costs: over the whole load (warm-up, measured window, drain); server = the system's own "
           "processes "
           "(local environments), client = the bakeoff process\n";
  }
  // Per-step figures of rate steps, ramps and searches, one small table per run.
  for (const RunRecord& run : result.runs) {
    if (!run.has_metrics || run.metrics.steps.empty()) continue;
    out << run.system << " steps:    target      sent/s  received/s   e2e p99  backlog+  met\n";
    for (size_t i = 0; i < run.metrics.steps.size(); ++i) {
      const StepMetrics& step = run.metrics.steps[i];
      char line[256];
      std::snprintf(line, sizeof(line), "  %3zu  %12s  %10s  %10s  %8s  %8s  %s\n", i + 1,
                    (FormatCount(step.rate_target) + "/s").c_str(), FormatCount(step.sent_per_s).c_str(),
                    FormatCount(step.received_per_s).c_str(),
                    FormatDurationNs(static_cast<double>(step.e2e.ValueAtPercentile(99))).c_str(),
                    FormatCount(static_cast<double>(step.backlog_growth)).c_str(),
                    step.met ? "yes" : ("no: " + step.why).c_str());
      out << line;
    }
  }
  for (const RunRecord& run : result.runs) {
    if (!run.error.empty()) out << run.system << ": " << run.error.ToString() << "\n";
    if (!run.has_metrics) continue;
    for (const auto& [message, count] : run.metrics.errors.described()) {
      out << run.system << ": " << count << " x " << message << "\n";
    }
  }
  return out.str();
}

}  // namespace bakeoff
