#include "results/compare.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

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
};

std::string Cell(const std::string& metric, const std::vector<double>& values) {
  const MetricInfo* info = FindMetric(metric);
  const SampleEstimate e = Estimate(values);
  if (e.n == 0) return "-";
  std::string text = FormatMetricValue(info->kind, e.mean);
  if (e.n > 1) text += " ± " + FormatMetricValue(info->kind, (e.ci95_high - e.ci95_low) / 2);
  return text;
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
      entries.push_back(std::move(e));
      input_of.push_back(i);
    }
  }
  if (entries.size() < 2)
    return "nothing to compare: the inputs hold " + std::to_string(entries.size()) + " system(s)\n";
  std::string out;
  for (size_t k = 1; k < entries.size(); ++k) {
    size_t base = 0;
    for (size_t j = 0; j < k; ++j) {
      if (input_of[j] < input_of[k] && entries[j].system == entries[k].system &&
          entries[j].matrix_point == entries[k].matrix_point) {
        base = j;
        break;
      }
    }
    const Entry& b = entries[base];
    const Entry& c = entries[k];
    const size_t nb = MetricSamples(*b.runs, b.system, b.point_index, HeadlineMetrics()[0]).size();
    const size_t nc = MetricSamples(*c.runs, c.system, c.point_index, HeadlineMetrics()[0]).size();
    const std::string head_b = b.label + " (n=" + std::to_string(nb) + ")";
    const std::string head_c = c.label + " (n=" + std::to_string(nc) + ")";
    constexpr size_t kMetricWidth = 34, kCellWidth = 26;
    const size_t wb = std::max(kCellWidth, head_b.size() + 2), wc = std::max(kCellWidth, head_c.size() + 2);
    out += "\n" + Pad("metric", kMetricWidth) + Pad(head_b, wb) + Pad(head_c, wc) + "delta\n";
    out += std::string(kMetricWidth + wb + wc + 40, '-') + "\n";
    for (const std::string& metric : HeadlineMetrics()) {
      const std::vector<double> vb = MetricSamples(*b.runs, b.system, b.point_index, metric);
      const std::vector<double> vc = MetricSamples(*c.runs, c.system, c.point_index, metric);
      const Difference d = CompareSamples(vb, vc);
      char delta[32];
      std::snprintf(delta, sizeof(delta), "%+.1f%%", d.delta_percent);
      out += Pad(metric, kMetricWidth) + Pad(Cell(metric, vb), wb) + Pad(Cell(metric, vc), wc) +
             Pad(delta, 12) + d.verdict + "\n";
    }
  }
  out +=
      "\ncells: mean ± half-width of the 95% confidence interval over repeats (Student t); significance: "
      "Welch's t-test, p < 0.05, non-overlapping intervals and at least 1% apart\n";
  return out;
}

}  // namespace bakeoff
