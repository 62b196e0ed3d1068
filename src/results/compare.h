// `bakeoff compare`: side-by-side headline metrics of stored results, with deltas and whether each
// difference is statistically significant over repeats.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "results/result_check.h"  // LoadResultFile

namespace bakeoff {

struct LabelledResult {
  std::string label;  // shown in the table, e.g. the result directory's name
  nlohmann::json result;
};

// Verdict for one metric of `candidate` against `baseline` (each the metric's values over repeats).
// Significant only when both sides have >= 2 values, the 95% intervals do not overlap, Welch's
// t-test gives p < 0.05 and the means differ by at least 1% (below that, measurement resolution).
struct Difference {
  double delta_percent = 0;  // (candidate - baseline) / baseline * 100; 0 when the baseline is 0
  bool significant = false;
  double p_value = 1;
  std::string verdict;  // "significant (p=0.001)", "not significant (1 repeat)", ...
};
Difference CompareSamples(const std::vector<double>& baseline, const std::vector<double>& candidate);

// The comparison table. Each (system, matrix point) of each input is an entry; an entry is compared
// with the same system and point of the first input that has it, otherwise with the very first entry.
std::string RenderComparison(const std::vector<LabelledResult>& inputs);

}  // namespace bakeoff
