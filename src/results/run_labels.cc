#include "results/run_labels.h"

#include <set>

namespace bakeoff {
namespace {

bool SeveralPoints(const ExperimentResult& result) {
  std::set<int> points;
  for (const RunRecord& run : result.runs) points.insert(run.point_index);
  return points.size() > 1 || result.experiment.points.size() > 1;
}

std::string FactOr(const std::map<std::string, std::string>& facts, const std::string& key,
                   const std::string& otherwise) {
  auto it = facts.find(key);
  return it == facts.end() || it->second.empty() ? otherwise : it->second;
}

}  // namespace

std::vector<std::string> RunColumnLabels(const ExperimentResult& result) {
  const bool points = SeveralPoints(result);
  bool repeats = result.experiment.repeat > 1;
  for (const RunRecord& run : result.runs) repeats = repeats || run.repeat_index > 0;
  std::vector<std::string> labels;
  for (const RunRecord& run : result.runs) {
    std::string label = run.system;
    if (points) label += " p" + std::to_string(run.point_index + 1);
    if (repeats) label += " r" + std::to_string(run.repeat_index + 1);
    labels.push_back(std::move(label));
  }
  return labels;
}

std::string DeliveryGuarantee(const RunRecord& run) {
  return FactOr(run.driver_facts, "delivery_guarantee", "-");
}

std::string StandIn(const RunRecord& run) {
  return FactOr(run.environment_facts, "stand_in", "");
}

std::vector<std::string> PointLegend(const ExperimentResult& result) {
  std::vector<std::string> legend;
  if (!SeveralPoints(result)) return legend;
  std::set<int> seen;
  for (const RunRecord& run : result.runs) {
    if (!seen.insert(run.point_index).second) continue;
    std::string text = "p" + std::to_string(run.point_index + 1) + ":";
    for (size_t i = 0; i < run.matrix_point.size(); ++i) {
      text += (i == 0 ? " " : ", ") + run.matrix_point[i].first + "=" + run.matrix_point[i].second;
    }
    legend.push_back(std::move(text));
  }
  return legend;
}

}  // namespace bakeoff
