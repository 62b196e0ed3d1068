#include "spec/internal/threshold_parser.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "spec/internal/suggest.h"
#include "spec/units.h"

namespace bakeoff::spec_internal {
namespace {

std::string Trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

// "50k", "1.5M", "0", "20000", optionally followed by `suffix` (e.g. "/s").
Result<double> ParseScaledNumber(const std::string& text, const std::string& optional_suffix) {
  std::string body = text;
  if (!optional_suffix.empty() && body.size() > optional_suffix.size() &&
      body.compare(body.size() - optional_suffix.size(), optional_suffix.size(), optional_suffix) == 0) {
    body = Trim(body.substr(0, body.size() - optional_suffix.size()));
  }
  double scale = 1;
  if (!body.empty()) {
    const char last = body.back();
    if (last == 'k' || last == 'K') scale = 1e3;
    if (last == 'M') scale = 1e6;
    if (last == 'G') scale = 1e9;
    if (scale != 1) body = Trim(body.substr(0, body.size() - 1));
  }
  char* end = nullptr;
  errno = 0;
  const double number = body.empty() ? 0 : std::strtod(body.c_str(), &end);
  if (body.empty() || errno != 0 || end != body.c_str() + body.size() || !std::isfinite(number) ||
      std::isspace(static_cast<unsigned char>(body[0]))) {
    return InvalidArgument("`" + text + "` is not a number");
  }
  if (number < 0) return InvalidArgument("`" + text + "` must not be negative");
  return number * scale;
}

const char* ExpectedValue(MetricKind kind) {
  switch (kind) {
    case MetricKind::kLatencyNs:
      return "a duration such as 20ms or 250us";
    case MetricKind::kCount:
      return "a count such as 0, 1000 or 1.5M";
    case MetricKind::kRate:
      return "a rate such as 50k or 50k/s";
    case MetricKind::kMegabytesPerSecond:
      return "a number of MB/s such as 120";
  }
  return "a value";
}

}  // namespace

Result<ParsedComparison> ParseComparison(const std::string& raw, MetricKind kind) {
  static const struct {
    const char* text;
    ThresholdSpec::Op op;
  } kOps[] = {{"<=", ThresholdSpec::Op::kLessEqual}, {">=", ThresholdSpec::Op::kGreaterEqual},
              {"==", ThresholdSpec::Op::kEqual},     {"!=", ThresholdSpec::Op::kNotEqual},
              {"<", ThresholdSpec::Op::kLess},       {">", ThresholdSpec::Op::kGreater}};
  const std::string text = Trim(raw);
  const std::string expected = std::string(
                                   "expected `<operator> <value>` with an operator among <, <=, >, "
                                   ">=, ==, != and ") +
                               ExpectedValue(kind);
  for (const auto& candidate : kOps) {
    const std::string op_text = candidate.text;
    if (text.compare(0, op_text.size(), op_text) != 0) continue;
    const std::string value_text = Trim(text.substr(op_text.size()));
    if (value_text.empty()) return InvalidArgument("no value after `" + op_text + "`; " + expected);
    Result<double> value = InvalidArgument("");
    switch (kind) {
      case MetricKind::kLatencyNs: {
        Result<int64_t> ns = ParseDurationNs(value_text);
        if (!ns.ok()) return ns.status();
        value = static_cast<double>(*ns);
        break;
      }
      case MetricKind::kCount:
        value = ParseScaledNumber(value_text, "");
        break;
      case MetricKind::kRate:
        value = ParseScaledNumber(value_text, "/s");
        break;
      case MetricKind::kMegabytesPerSecond:
        value = ParseScaledNumber(value_text, "MB/s");
        break;
    }
    if (!value.ok()) return InvalidArgument(value.status().message() + "; " + expected);
    return ParsedComparison{candidate.op, *value};
  }
  return InvalidArgument("`" + text + "` does not start with a comparison operator; " + expected);
}

void ParseThresholds(Reader& reader, const Field& field, const std::vector<std::string>& system_names,
                     std::vector<ThresholdSpec>& thresholds) {
  std::vector<std::string> scopes = system_names;
  scopes.insert(scopes.begin(), "all");
  auto entries = reader.ReadMap(field, &scopes, "in `thresholds` (use `all` or a system name)", "system");
  if (!entries) return;
  const std::vector<std::string> metric_paths = KnownMetricPaths();
  for (const MapEntry& scope : *entries) {
    auto metrics = reader.ReadMap(scope.value, nullptr, "");
    if (!metrics) continue;
    for (const MapEntry& entry : *metrics) {
      const MetricInfo* metric = FindMetric(entry.key);
      if (metric == nullptr) {
        std::string suggestion = DidYouMean(entry.key, metric_paths);
        reader.Report(entry.key_mark, entry.value.path,
                      "unknown metric `" + entry.key +
                          "`; metrics are named as in result.json, e.g. `e2e_latency.corrected.p99`, "
                          "`throughput.received_msgs_per_s`, `accounting.lost`",
                      suggestion);
        continue;
      }
      std::optional<std::string> text = reader.ReadScalar(entry.value, "a comparison such as \"< 20ms\"");
      if (!text) continue;
      Result<ParsedComparison> comparison = ParseComparison(*text, metric->kind);
      if (!comparison.ok()) {
        reader.Report(entry.value.mark, entry.value.path, comparison.status().message());
        continue;
      }
      ThresholdSpec threshold;
      threshold.scope = scope.key;
      threshold.metric = metric->path;
      threshold.op = comparison->op;
      threshold.value = comparison->value;
      threshold.text = Trim(*text);
      threshold.location = reader.Locate(entry.key_mark);
      thresholds.push_back(std::move(threshold));
    }
  }
}

}  // namespace bakeoff::spec_internal
