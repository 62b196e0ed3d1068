#include "results/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "results/metric_value.h"
#include "spec/metric_catalog.h"

namespace bakeoff {
namespace {

using nlohmann::json;

// Continued fraction for the regularized incomplete beta function (modified Lentz).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-14) break;
  }
  return h;
}

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

// Two-sided tail probability P(|T| > t) for Student's t with `df` degrees of freedom.
double TwoSidedTail(double t, double df) {
  return RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
}

std::string Plain(double value, const MetricInfo* info) {
  return info ? FormatMetricValue(info->kind, value) : std::to_string(value);
}

}  // namespace

SampleEstimate Estimate(const std::vector<double>& values) {
  SampleEstimate e;
  e.n = values.size();
  if (e.n == 0) return e;
  double sum = 0;
  for (double v : values) sum += v;
  e.mean = sum / static_cast<double>(e.n);
  e.ci95_low = e.ci95_high = e.mean;
  if (e.n < 2) return e;
  double squares = 0;
  for (double v : values) squares += (v - e.mean) * (v - e.mean);
  e.stddev = std::sqrt(squares / static_cast<double>(e.n - 1));
  const double half =
      StudentT975(static_cast<double>(e.n - 1)) * e.stddev / std::sqrt(static_cast<double>(e.n));
  e.ci95_low = e.mean - half;
  e.ci95_high = e.mean + half;
  return e;
}

double StudentT975(double df) {
  if (!(df > 0)) return INFINITY;
  // Bisection on the tail probability: monotone, exact to the precision of the incomplete beta.
  double low = 0, high = 1000;
  for (int i = 0; i < 200; ++i) {
    const double mid = (low + high) / 2;
    (TwoSidedTail(mid, df) > 0.05 ? low : high) = mid;
  }
  return (low + high) / 2;
}

double WelchTTestPValue(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2 || b.size() < 2) return 1;
  const SampleEstimate ea = Estimate(a), eb = Estimate(b);
  const double va = ea.stddev * ea.stddev / static_cast<double>(ea.n);
  const double vb = eb.stddev * eb.stddev / static_cast<double>(eb.n);
  if (va + vb == 0) return ea.mean == eb.mean ? 1 : 0;
  const double t = (ea.mean - eb.mean) / std::sqrt(va + vb);
  const double df = (va + vb) * (va + vb) /
                    (va * va / static_cast<double>(ea.n - 1) + vb * vb / static_cast<double>(eb.n - 1));
  return TwoSidedTail(t, df);
}

const std::vector<std::string>& HeadlineMetrics() {
  static const std::vector<std::string> kMetrics = {
      "throughput.received_msgs_per_s", "throughput.received_mb_per_s",  "e2e_latency.corrected.p50",
      "e2e_latency.corrected.p99",      "e2e_latency.corrected.p99_9",   "e2e_latency.corrected.max",
      "e2e_latency.uncorrected.p99",    "publish_latency.corrected.p99", "accounting.lost",
      "accounting.duplicated",          "accounting.out_of_order"};
  return kMetrics;
}

std::vector<double> MetricSamples(const json& runs, const std::string& system, int point_index,
                                  const std::string& metric) {
  std::vector<double> values;
  for (const json& run : runs) {
    if (run.value("system", "") != system || run.value("point_index", 0) != point_index) continue;
    if (!run.contains("metrics") || run["metrics"].is_null()) continue;
    if (std::optional<double> v = MetricValue(run["metrics"], metric)) values.push_back(v.value_or(0));
  }
  return values;
}

json SummarizeRuns(const json& runs) {
  json summary = json::array();
  std::vector<std::pair<std::string, int>> groups;
  for (const json& run : runs) {
    std::pair<std::string, int> key{run.value("system", ""), run.value("point_index", 0)};
    if (std::find(groups.begin(), groups.end(), key) != groups.end()) continue;
    groups.push_back(key);
    json entry = {{"system", key.first},
                  {"point_index", key.second},
                  {"matrix_point", run.value("matrix_point", json::object())},
                  {"metrics", json::object()}};
    size_t runs_with_metrics = 0;
    for (const std::string& metric : HeadlineMetrics()) {
      const SampleEstimate e = Estimate(MetricSamples(runs, key.first, key.second, metric));
      runs_with_metrics = std::max(runs_with_metrics, e.n);
      entry["metrics"][metric] = {{"n", e.n},
                                  {"mean", e.mean},
                                  {"stddev", e.stddev},
                                  {"ci95_low", e.ci95_low},
                                  {"ci95_high", e.ci95_high}};
    }
    entry["repeats"] = runs_with_metrics;
    summary.push_back(std::move(entry));
  }
  return summary;
}

std::string RenderRepeatSummary(const json& summary) {
  std::string out = "\nacross repeats (mean ± 95% confidence half-width):\n";
  const std::vector<std::string> shown = {"throughput.received_msgs_per_s", "e2e_latency.corrected.p50",
                                          "e2e_latency.corrected.p99", "e2e_latency.uncorrected.p99",
                                          "accounting.lost"};
  for (const json& entry : summary) {
    std::string label = entry.value("system", "");
    std::string point;
    const json matrix_point = entry.value("matrix_point", json::object());
    for (const auto& [path, value] : matrix_point.items()) {
      point += (point.empty() ? "" : ", ") + path + "=" +
               (value.is_string() ? value.get<std::string>() : value.dump());
    }
    if (!point.empty()) label += " [" + point + "]";
    out += "  " + label + " (n=" + std::to_string(entry.value("repeats", 0)) + ")\n";
    for (const std::string& metric : shown) {
      const json& m = entry["metrics"][metric];
      const MetricInfo* info = FindMetric(metric);
      const double mean = m.value("mean", 0.0);
      const double half = (m.value("ci95_high", 0.0) - m.value("ci95_low", 0.0)) / 2;
      out += "    " + metric + ": " + Plain(mean, info) + " ± " + Plain(half, info) + "\n";
    }
  }
  return out;
}

}  // namespace bakeoff
