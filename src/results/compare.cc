#include "results/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "results/statistics.h"
#include "results/thresholds.h"
#include "spec/metric_catalog.h"

namespace bakeoff {
namespace {

using nlohmann::json;

constexpr double kMinRelativeDifference = 0.01;

struct Entry {
  std::string label;
  const json* runs;
  std::string system;
  int point_index;
  json matrix_point;
  std::string stand_in_note;  // "<input>: <system> ran on <stand-in>"; empty for the real thing
};

// What the system's runs ran on when it was a stand-in ("librdkafka mock cluster (not Apache Kafka)").
// Results written before the field existed have none: no label.
std::string StandInOf(const json& runs, const std::string& system) {
  for (const json& run : runs) {
    if (!run.is_object() || run.value("system", std::string()) != system) continue;
    const json facts = run.value("environment_facts", json::object());
    if (facts.is_object() && facts.contains("stand_in") && facts["stand_in"].is_string()) {
      return facts["stand_in"].get<std::string>();
    }
  }
  return "";
}

std::string Cell(const std::string& metric, const std::vector<double>& values) {
  const MetricInfo* info = FindMetric(metric);
  const SampleEstimate e = Estimate(values);
  if (e.n == 0) return "-";
  std::string text = FormatMetricValue(info->kind, e.mean);
  if (e.n < 2) return text;
  const std::string half = FormatMetricValue(info->kind, (e.ci95_high - e.ci95_low) / 2);
  // "9.82 M ± 120 k msg/s": the unit once when both halves end in it.
  const size_t unit = text.rfind(' '), half_unit = half.rfind(' ');
  if (unit != std::string::npos && half_unit != std::string::npos &&
      text.substr(unit) == half.substr(half_unit) &&
      text.substr(unit).find_first_of("0123456789") == std::string::npos)
    return text.substr(0, unit) + " ± " + half;
  return text + " ± " + half;
}

std::string Pad(const std::string& text, size_t width) {
  // Count UTF-8 code points, not bytes, so "±" lines up.
  size_t length = 0;
  for (unsigned char c : text) length += (c & 0xc0) != 0x80;
  return text + std::string(width > length ? width - length : 0, ' ');
}

}  // namespace

Difference CompareSamples(const std::vector<double>& baseline, const std::vector<double>& candidate) {
  Difference d;
  const SampleEstimate b = Estimate(baseline), c = Estimate(candidate);
  if (b.n > 0 && c.n > 0 && b.mean != 0) d.delta_percent = (c.mean - b.mean) / std::fabs(b.mean) * 100;
  if (b.n == 0 || c.n == 0) {
    d.verdict = "no data";
    return d;
  }
  if (b.n < 2 || c.n < 2) {
    d.verdict = "not significant (1 repeat)";
    return d;
  }
  d.p_value = WelchTTestPValue(baseline, candidate);
  char p_text[48];
  std::snprintf(p_text, sizeof(p_text), d.p_value < 0.001 ? "p<0.001" : "p=%.3f", d.p_value);
  const double scale = std::max(std::fabs(b.mean), std::fabs(c.mean));
  if (b.ci95_high >= c.ci95_low && c.ci95_high >= b.ci95_low) {
    d.verdict = std::string("not significant (intervals overlap, ") + p_text + ")";
  } else if (d.p_value >= 0.05) {
    d.verdict = std::string("not significant (") + p_text + ")";
  } else if (scale > 0 && std::fabs(c.mean - b.mean) < kMinRelativeDifference * scale) {
    d.verdict = "not significant (difference below 1%)";
  } else {
    d.significant = true;
    d.verdict = std::string("significant (") + p_text + ")";
  }
  return d;
}

namespace {

bool HigherIsBetter(MetricKind kind) {
  return kind == MetricKind::kRate || kind == MetricKind::kMegabytesPerSecond;
}

// The verdict in a few words, for a table that fits 120 columns.
std::string ShortVerdict(const Difference& d) {
  if (d.significant) return d.verdict;
  const size_t open = d.verdict.find('(');
  if (open == std::string::npos) return d.verdict;
  std::string reason = d.verdict.substr(open);
  if (reason.rfind("(intervals overlap", 0) == 0) return "not significant (overlap)";
  if (reason.rfind("(difference below", 0) == 0) return "not significant (< 1%)";
  return "not significant " + reason;
}

// "better", "worse" or "same" for a change of `delta_percent` in a metric of `kind`.
std::string Direction(MetricKind kind, double delta_percent) {
  if (std::fabs(delta_percent) < kMinRelativeDifference * 100) return "same";
  return (delta_percent > 0) == HigherIsBetter(kind) ? "better" : "worse";
}

void Flatten(const json& value, const std::string& path, std::map<std::string, std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) Flatten(item, path.empty() ? key : path + "." + key, out);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) Flatten(value[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out[path] = value.is_string() ? value.get<std::string>() : value.dump();
  }
}

// What differs between two results' experiment files ("workload.rate: 1k/s -> 5k/s"), at most `limit`.
std::vector<std::string> ExperimentDifferences(const json& a, const json& b, size_t limit) {
  std::map<std::string, std::string> fa, fb;
  if (a.is_object()) Flatten(a.value("experiment", json::object()), "", fa);
  if (b.is_object()) Flatten(b.value("experiment", json::object()), "", fb);
  std::set<std::string> paths;
  for (const auto& [k, v] : fa) paths.insert(k);
  for (const auto& [k, v] : fb) paths.insert(k);
  std::vector<std::string> out;
  size_t more = 0;
  for (const std::string& path : paths) {
    // The resolved matrix points repeat what the axes and systems say; the file name is not the experiment.
    if (path == "source_file" || path.rfind("points", 0) == 0 || path == "name") continue;
    const auto ia = fa.find(path), ib = fb.find(path);
    const std::string va = ia == fa.end() ? "-" : ia->second, vb = ib == fb.end() ? "-" : ib->second;
    if (va == vb) continue;
    if (out.size() < limit) {
      out.push_back(path + ": " + va + " -> " + vb);
    } else {
      ++more;
    }
  }
  if (more > 0) out.push_back("and " + std::to_string(more) + " more");
  return out;
}

}  // namespace

std::string RenderComparison(const std::vector<LabelledResult>& inputs) {
  std::vector<Entry> entries;
  std::vector<size_t> input_of;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const json& result = inputs[i].result;
    if (!result.contains("runs")) continue;
    const json summary = SummarizeRuns(result["runs"]);
    for (const json& s : summary) {
      Entry e{inputs[i].label + ": " + s.value("system", ""), &result["runs"], s.value("system", ""),
              s.value("point_index", 0), s.value("matrix_point", json::object())};
      std::string point;
      for (const auto& [path, value] : e.matrix_point.items()) {
        point += (point.empty() ? "" : ", ") + path + "=" +
                 (value.is_string() ? value.get<std::string>() : value.dump());
      }
      if (!point.empty()) e.label += " [" + point + "]";
      const std::string stand_in = StandInOf(result["runs"], e.system);
      if (!stand_in.empty()) {
        e.label += " *";
        e.stand_in_note = inputs[i].label + ": " + e.system + " ran on " + stand_in;
      }
      entries.push_back(std::move(e));
      input_of.push_back(i);
    }
  }
  if (entries.size() < 2)
    return "nothing to compare: the inputs hold " + std::to_string(entries.size()) + " system(s)\n";
  const bool across_inputs = input_of.back() != input_of.front();
  // Pairs (baseline, candidate). Across inputs: like with like only, by (system, matrix point), the
  // baseline from the earliest input that has it. Within one input: every system against the first.
  std::vector<std::pair<size_t, size_t>> pairs;
  std::vector<std::string> unpaired;
  for (size_t k = 1; k < entries.size(); ++k) {
    if (!across_inputs) {
      pairs.push_back({0, k});
      continue;
    }
    if (input_of[k] == input_of.front()) continue;  // a baseline
    bool found = false;
    for (size_t j = 0; j < k && !found; ++j) {
      if (input_of[j] < input_of[k] && entries[j].system == entries[k].system &&
          entries[j].matrix_point == entries[k].matrix_point) {
        pairs.push_back({j, k});
        found = true;
      }
    }
    if (!found) unpaired.push_back(entries[k].label);
  }
  for (size_t j = 0; across_inputs && j < entries.size(); ++j) {
    if (input_of[j] != input_of.front()) continue;
    bool used = false;
    for (const auto& [b, c] : pairs) used = used || b == j;
    if (!used) unpaired.push_back(entries[j].label);
  }

  std::string out;
  bool few_repeats = false;
  std::set<std::pair<size_t, size_t>> described_inputs;
  constexpr size_t kMetricWidth = 31, kCellWidth = 24, kDeltaWidth = 15;
  for (const auto& [base, k] : pairs) {
    const Entry& b = entries[base];
    const Entry& c = entries[k];
    const size_t nb = MetricSamples(*b.runs, b.system, b.point_index, HeadlineMetrics()[0]).size();
    const size_t nc = MetricSamples(*c.runs, c.system, c.point_index, HeadlineMetrics()[0]).size();
    few_repeats = few_repeats || nb < 3 || nc < 3;
    out += "\nA = " + b.label + " (n=" + std::to_string(nb) + ")\nB = " + c.label +
           " (n=" + std::to_string(nc) + ")\n";
    if (input_of[base] != input_of[k] && described_inputs.insert({input_of[base], input_of[k]}).second) {
      const std::vector<std::string> diffs =
          ExperimentDifferences(inputs[input_of[base]].result, inputs[input_of[k]].result, 8);
      if (diffs.empty()) {
        out += "experiment files: the same\n";
      } else {
        out += "experiment files differ in:\n";
        for (const std::string& d : diffs) out += "  " + d + "\n";
      }
    }
    out += Pad("metric", kMetricWidth) + Pad("A", kCellWidth) + Pad("B", kCellWidth) +
           Pad("B vs A", kDeltaWidth) + "verdict\n";
    out += std::string(120, '-') + "\n";
    for (const std::string& metric : HeadlineMetrics()) {
      const std::vector<double> vb = MetricSamples(*b.runs, b.system, b.point_index, metric);
      const std::vector<double> vc = MetricSamples(*c.runs, c.system, c.point_index, metric);
      const auto zero = [](const std::vector<double>& v) {
        return std::all_of(v.begin(), v.end(), [](double x) { return x == 0; });
      };
      if (zero(vb) && zero(vc)) continue;  // e.g. nothing lost on either side
      const Difference d = CompareSamples(vb, vc);
      const MetricInfo* info = FindMetric(metric);
      char delta[48];
      std::snprintf(delta, sizeof(delta), "%+.1f%% %s", d.delta_percent,
                    Direction(info->kind, d.delta_percent).c_str());
      out += Pad(metric, kMetricWidth) + Pad(Cell(metric, vb), kCellWidth) +
             Pad(Cell(metric, vc), kCellWidth) + Pad(delta, kDeltaWidth) + ShortVerdict(d) + "\n";
    }
  }
  // A figure measured on a stand-in is labelled wherever it appears: `*` beside the entry, named here.
  std::set<std::string> stand_ins;
  for (const Entry& e : entries) {
    if (e.stand_in_note.empty() || !stand_ins.insert(e.stand_in_note).second) continue;
    out += (stand_ins.size() == 1 ? "\n" : "") + std::string("* stand-in: ") + e.stand_in_note + "\n";
  }
  if (!unpaired.empty()) {
    out += "\nnot compared (no run of the same system and matrix point on the other side):\n";
    for (const std::string& label : unpaired) out += "  " + label + "\n";
  }
  out +=
      "\ncells: mean ± half-width of the 95% confidence interval over repeats (Student t); rows that are 0 "
      "on\n"
      "both sides are left out; significance: Welch's t-test, p < 0.05, non-overlapping intervals, >= 1% "
      "apart\n";
  if (few_repeats) {
    out +=
        "advice: with fewer than 3 repeats on a side an interval says little; set `repeat: 5` in the "
        "experiment\n";
  }
  return out;
}

}  // namespace bakeoff
