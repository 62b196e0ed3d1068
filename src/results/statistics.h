// Statistics over repeats: mean and 95% confidence interval (Student t), Welch's t-test, and the
// per-(system, matrix point) summary that result.json carries as `summary[]`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bakeoff {

struct SampleEstimate {
  size_t n = 0;
  double mean = 0;
  double stddev = 0;    // sample standard deviation (n - 1); 0 when n < 2
  double ci95_low = 0;  // mean -/+ t(0.975, n-1) * stddev / sqrt(n); equal to the mean when n < 2
  double ci95_high = 0;
};

SampleEstimate Estimate(const std::vector<double>& values);

// The 97.5% quantile of Student's t distribution with `degrees_of_freedom` (> 0, may be fractional).
double StudentT975(double degrees_of_freedom);

// Two-sided p-value of Welch's unequal-variance t-test; 1 when either side has fewer than 2 values.
double WelchTTestPValue(const std::vector<double>& a, const std::vector<double>& b);

// The metrics summarized across repeats (canonical paths, spec/metric_catalog.h), in display order.
const std::vector<std::string>& HeadlineMetrics();

// `summary[]` of result.json: one entry per (system, matrix point) in run order, with for each headline
// metric {n, mean, stddev, ci95_low, ci95_high} over the runs that have metrics.
nlohmann::json SummarizeRuns(const nlohmann::json& runs);

// The values of `metric` over the runs of (system, point_index) that have metrics.
std::vector<double> MetricSamples(const nlohmann::json& runs, const std::string& system, int point_index,
                                  const std::string& metric);

// The terminal table printed after the per-run table when the experiment has repeats or a matrix:
// mean ± half-width of the 95% interval per system and point.
std::string RenderRepeatSummary(const nlohmann::json& summary);

}  // namespace bakeoff
