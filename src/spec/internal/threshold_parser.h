// The `thresholds` section: per system name (or `all`), metric path -> "<operator> <value>".
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "spec/experiment.h"
#include "spec/internal/yaml_reader.h"
#include "spec/metric_catalog.h"

namespace bakeoff::spec_internal {

// `system_names` are the experiment's systems (a scope must be one of them or `all`).
void ParseThresholds(Reader& reader, const Field& field, const std::vector<std::string>& system_names,
                     std::vector<ThresholdSpec>& thresholds);

// "< 20ms" for a latency metric -> {kLess, 20e6}. The message of an error says what was expected.
struct ParsedComparison {
  ThresholdSpec::Op op;
  double value;
};
Result<ParsedComparison> ParseComparison(const std::string& text, MetricKind kind);

}  // namespace bakeoff::spec_internal
