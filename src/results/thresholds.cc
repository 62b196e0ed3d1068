#include "results/thresholds.h"

#include <cmath>
#include <cstdio>

#include "results/result_json.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

using nlohmann::json;

bool Compare(ThresholdSpec::Op op, double actual, double limit) {
  switch (op) {
    case ThresholdSpec::Op::kLess:
      return actual < limit;
    case ThresholdSpec::Op::kLessEqual:
      return actual <= limit;
    case ThresholdSpec::Op::kGreater:
      return actual > limit;
    case ThresholdSpec::Op::kGreaterEqual:
      return actual >= limit;
    case ThresholdSpec::Op::kEqual:
      return actual == limit;
    case ThresholdSpec::Op::kNotEqual:
      return actual != limit;
  }
  return false;
}

// How a failed comparison missed: "5.1 ms (26%) over", "12 k msg/s (24%) short".
std::string Shortfall(const ThresholdSpec& t, MetricKind kind, double actual) {
  const double gap = std::fabs(actual - t.value);
  std::string text = FormatMetricValue(kind, gap);
  if (t.value != 0) {
    char percent[32];
    std::snprintf(percent, sizeof(percent), " (%.0f%%)", 100.0 * gap / std::fabs(t.value));
    text += percent;
  }
  switch (t.op) {
    case ThresholdSpec::Op::kLess:
    case ThresholdSpec::Op::kLessEqual:
      return text + " over the limit";
    case ThresholdSpec::Op::kGreater:
    case ThresholdSpec::Op::kGreaterEqual:
      return text + " short of the limit";
    case ThresholdSpec::Op::kEqual:
      return "off by " + text;
    case ThresholdSpec::Op::kNotEqual:
      return "equal to the value it must differ from";
  }
  return text;
}

}  // namespace

std::vector<ThresholdOutcome> EvaluateThresholds(const std::vector<ThresholdSpec>& thresholds,
                                                 const std::string& system, const RunMetrics& metrics) {
  std::vector<ThresholdOutcome> outcomes;
  if (thresholds.empty()) return outcomes;
  const json metrics_json = RunMetricsToJson(metrics);
  for (const ThresholdSpec& t : thresholds) {
    if (t.scope != "all" && t.scope != system) continue;
    const MetricInfo* info = FindMetric(t.metric);
    ThresholdOutcome outcome;
    outcome.threshold = t;
    double actual = 0;
    bool found = false;
    if (info != nullptr) {
      if (std::optional<double> value = MetricValue(metrics_json, info->path)) {
        actual = value.value_or(0);
        found = true;
      }
    }
    const std::string head = t.metric + " " + t.text;
    if (!found) {
      outcome.passed = false;
      outcome.message = head + ": the run has no value for this metric";
    } else {
      outcome.actual = actual;
      outcome.passed = Compare(t.op, actual, t.value);
      outcome.message = head + ": " + FormatMetricValue(info->kind, actual);
      if (!outcome.passed) outcome.message += ", " + Shortfall(t, info->kind, actual);
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

std::string ThresholdLine(const ThresholdOutcome& outcome) {
  return std::string(outcome.passed ? "\u2713 " : "\u2717 ") + outcome.message;
}

std::string RunLabel(const RunRecord& run, bool with_repeat) {
  std::string detail;
  for (const auto& [path, value] : run.matrix_point)
    detail += (detail.empty() ? "" : ", ") + path + "=" + value;
  if (with_repeat)
    detail += (detail.empty() ? "" : ", ") + std::string("repeat ") + std::to_string(run.repeat_index + 1);
  return detail.empty() ? run.system : run.system + " [" + detail + "]";
}

std::string RenderThresholdReport(const ExperimentResult& result) {
  if (result.experiment.thresholds.empty()) return "";
  size_t passed = 0, failed = 0;
  std::string out = "\nthresholds:\n";
  const bool repeats = result.experiment.repeat > 1;
  for (const RunRecord& run : result.runs) {
    if (!run.has_metrics) {
      out += "  " + RunLabel(run, repeats) + ": not checked (the run has no metrics)\n";
      continue;
    }
    for (const ThresholdOutcome& t : run.thresholds) {
      (t.passed ? passed : failed) += 1;
      out += "  " + RunLabel(run, repeats) + ": " + ThresholdLine(t) + "\n";
    }
  }
  out += "thresholds: " + std::to_string(passed) + " passed, " + std::to_string(failed) + " failed\n";
  return out;
}

}  // namespace bakeoff
