#include "service/api_json.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "results/compare.h"
#include "results/statistics.h"
#include "results/thresholds.h"
#include "spec/metric_catalog.h"

namespace bakeoff {
namespace {

using nlohmann::json;

const char* PhaseState(RunPhase phase) {
  switch (phase) {
    case RunPhase::kProvisioning:
      return "provisioning";
    case RunPhase::kTearingDown:
      return "tearing_down";
    default:
      return "running";
  }
}

json NumberOrNull(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

std::string PointLabel(const json& matrix_point) {
  std::string out;
  for (const auto& [path, value] : matrix_point.items()) {
    out += (out.empty() ? "" : ",") + path + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

// The metrics the compare object carries (docs/api-v1.md).
const std::vector<std::string>& ComparedMetrics() {
  static const std::vector<std::string> kMetrics = {"throughput.received_msgs_per_s", "e2e_latency.corrected.p50",
                                                    "e2e_latency.corrected.p99", "e2e_latency.corrected.p99_9",
                                                    "publish_latency.corrected.p99", "accounting.lost"};
  return kMetrics;
}

}  // namespace

double LiveStatus::EtaSeconds() const {
  double remaining = 0;
  double per_run = run_total_s;
  if (progress) {
    per_run = std::max(per_run, progress->total_s);
    remaining += std::max(0.0, progress->total_s - progress->elapsed_s);
  } else {
    remaining += per_run;
  }
  if (phase) remaining += std::max(0, phase->runs_total - phase->run_index) * per_run;
  return remaining;
}

json TimeJson(int64_t unix_ns) {
  if (unix_ns <= 0) return nullptr;
  const time_t seconds = static_cast<time_t>(unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>((unix_ns / 1'000'000) % 1000));
  return text;
}

json ErrorJson(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

json ProgressJson(const ProgressLine& p) {
  return {{"system", p.system},         {"elapsed_s", p.elapsed_s},
          {"total_s", p.total_s},       {"warmup", p.warmup},
          {"sent_per_s", p.sent_per_s}, {"received_per_s", p.received_per_s},
          {"e2e_p99_ns", p.e2e_p99_ns}, {"errors", p.errors}};
}

json SummaryJson(const ExperimentRecord& r, std::optional<int> position, const LiveStatus* live,
                 int64_t now_unix_ns) {
  const bool terminal = IsTerminal(r.state);
  json j = {{"id", r.id},
            {"name", r.name},
            {"state", ExperimentStateName(r.state)},
            {"position", position ? json(*position) : json(nullptr)},
            {"systems", r.systems},
            {"submitted_at", TimeJson(r.submitted_unix_ns)},
            {"started_at", TimeJson(r.started_unix_ns)},
            {"finished_at", TimeJson(r.finished_unix_ns)},
            {"duration_s", nullptr},
            {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)},
            {"current", nullptr},
            {"progress", nullptr},
            {"cancel_requested", r.cancel_requested}};
  if (r.started_unix_ns > 0) {
    const int64_t end = r.finished_unix_ns > 0 ? r.finished_unix_ns : now_unix_ns;
    j["duration_s"] = static_cast<double>(std::max<int64_t>(0, end - r.started_unix_ns)) / 1e9;
  }
  if (live != nullptr && !terminal && live->id == r.id) {
    if (live->phase) {
      j["current"] = {{"system", live->phase->system},
                      {"run_index", live->phase->run_index},
                      {"runs_total", live->phase->runs_total},
                      {"phase", RunPhaseName(live->phase->phase)}};
      // The phase the runner reported last is fresher than the row.
      j["state"] = PhaseState(live->phase->phase);
    }
    if (live->progress) j["progress"] = ProgressJson(*live->progress);
  }
  json headline = json::parse(r.headline_json, nullptr, false);
  j["headline"] = headline.is_array() ? headline : json::array();
  return j;
}

json DetailJson(const ExperimentRecord& r, std::optional<int> position, const LiveStatus* live,
                int64_t now_unix_ns) {
  json j = SummaryJson(r, position, live, now_unix_ns);
  j["spec"] = r.spec_text;
  j["spec_format"] = r.spec_format;
  j["error"] = r.error.empty() ? json(nullptr) : json(r.error);
  const std::string base = "/api/v1/experiments/" + r.id;
  json links = {{"events", base + "/events"}, {"result", nullptr}, {"report", nullptr}, {"csv", nullptr},
                {"hlog", json::array()}};
  std::error_code ec;
  if (!r.result_dir.empty()) {
    namespace fs = std::filesystem;
    if (fs::exists(r.result_dir + "/result.json", ec)) links["result"] = base + "/result";
    if (fs::exists(r.result_dir + "/report.html", ec)) links["report"] = base + "/report";
    if (fs::exists(r.result_dir + "/results.csv", ec)) links["csv"] = base + "/results.csv";
    std::vector<std::string> hlogs;
    for (fs::directory_iterator it(r.result_dir + "/hlog", ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".hlog") hlogs.push_back(it->path().filename().string());
    }
    std::sort(hlogs.begin(), hlogs.end());
    for (const std::string& f : hlogs) links["hlog"].push_back(base + "/hlog/" + f);
  }
  j["links"] = links;
  return j;
}

json HeadlineFromRuns(const json& runs) {
  json out = json::array();
  if (!runs.is_array()) return out;
  for (const json& run : runs) {
    const json& metrics = run.contains("metrics") ? run["metrics"] : json(nullptr);
    if (!metrics.is_object()) continue;
    out.push_back({{"system", run.value("system", "")},
                   {"status", run.value("status", "")},
                   {"received_msgs_per_s", NumberOrNull(MetricValue(metrics, "throughput.received_msgs_per_s"))},
                   {"e2e_p99_ns", NumberOrNull(MetricValue(metrics, "e2e_latency.corrected.p99"))},
                   {"publish_p99_ns", NumberOrNull(MetricValue(metrics, "publish_latency.corrected.p99"))},
                   {"lost", NumberOrNull(MetricValue(metrics, "accounting.lost"))}});
  }
  return out;
}

json CompareJson(const std::vector<std::string>& ids, const std::vector<json>& results) {
  // Keys (system, point) in the order they first appear over the inputs.
  struct Key {
    std::string system;
    json point;
  };
  std::vector<Key> keys;
  std::vector<json> summaries;
  for (const json& result : results) {
    json summary = result.contains("runs") ? SummarizeRuns(result["runs"]) : json::array();
    for (const json& s : summary) {
      Key k{s.value("system", ""), s.value("matrix_point", json::object())};
      const bool seen = std::any_of(keys.begin(), keys.end(),
                                    [&](const Key& o) { return o.system == k.system && o.point == k.point; });
      if (!seen) keys.push_back(k);
    }
    summaries.push_back(std::move(summary));
  }
  auto point_index_of = [&](size_t input, const Key& k) -> std::optional<int> {
    for (const json& s : summaries[input]) {
      if (s.value("system", "") == k.system && s.value("matrix_point", json::object()) == k.point)
        return s.value("point_index", 0);
    }
    return std::nullopt;
  };
  json rows = json::array();
  json spectra = json::array();
  for (const Key& k : keys) {
    for (const std::string& metric : ComparedMetrics()) {
      const MetricInfo* info = FindMetric(metric);
      const bool latency = info != nullptr && info->kind == MetricKind::kLatencyNs;
      const bool lower_is_better = latency || metric == "accounting.lost";
      json values = json::array(), deltas = json::array();
      std::vector<double> baseline;
      bool have_baseline = false;
      for (size_t i = 0; i < results.size(); ++i) {
        const std::optional<int> point = point_index_of(i, k);
        std::vector<double> samples;
        if (point) samples = MetricSamples(results[i]["runs"], k.system, *point, metric);
        if (samples.empty()) {
          values.push_back(nullptr);
          deltas.push_back(nullptr);
          continue;
        }
        const SampleEstimate e = Estimate(samples);
        values.push_back({{"id", ids[i]},
                          {"mean", e.mean},
                          {"ci95_low", e.n > 1 ? json(e.ci95_low) : json(nullptr)},
                          {"ci95_high", e.n > 1 ? json(e.ci95_high) : json(nullptr)},
                          {"n", e.n}});
        if (!have_baseline) {
          baseline = samples;
          have_baseline = true;
          deltas.push_back(nullptr);
          continue;
        }
        const Difference d = CompareSamples(baseline, samples);
        deltas.push_back({{"delta_percent", d.delta_percent},
                          {"significant", d.significant},
                          {"p_value", d.p_value},
                          {"verdict", d.verdict},
                          {"better", lower_is_better ? d.delta_percent < 0 : d.delta_percent > 0}});
      }
      rows.push_back({{"system", k.system},
                      {"point", PointLabel(k.point)},
                      {"metric", metric},
                      {"unit", latency ? "ns" : metric == "accounting.lost" ? "messages" : "msgs/s"},
                      {"lower_is_better", lower_is_better},
                      {"values", values},
                      {"deltas", deltas}});
    }
    // The first run of each (input, key) with a corrected e2e spectrum.
    for (size_t i = 0; i < results.size(); ++i) {
      const std::optional<int> point = point_index_of(i, k);
      if (!point || !results[i].contains("runs")) continue;
      for (const json& run : results[i]["runs"]) {
        if (run.value("system", "") != k.system || run.value("point_index", -1) != *point) continue;
        const json* spectrum = nullptr;
        if (run.contains("metrics") && run["metrics"].is_object()) {
          const json& m = run["metrics"];
          if (m.contains("e2e_latency_ns") && m["e2e_latency_ns"].contains("corrected"))
            spectrum = &m["e2e_latency_ns"]["corrected"]["spectrum"];
        }
        if (spectrum == nullptr || !spectrum->is_array()) continue;
        spectra.push_back(
            {{"id", ids[i]}, {"system", k.system}, {"point", PointLabel(k.point)}, {"e2e_corrected", *spectrum}});
        break;
      }
    }
  }
  return {{"ids", ids}, {"rows", rows}, {"spectra", spectra}};
}

}  // namespace bakeoff
