// `thresholds`, `matrix` and `repeat` in experiment files.
#include <gtest/gtest.h>

#include <string>

#include "spec/internal/threshold_parser.h"
#include "spec/parser.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

using spec_test::TestSchemas;

std::string Describe(const ParseOutcome& outcome) {
  std::string text;
  for (const Diagnostic& d : outcome.diagnostics) text += d.ToString() + "\n";
  return text;
}

ParseOutcome Parse(const std::string& tail) {
  const std::string text =
      "name: t\nsystems:\n  - name: a\n    driver: fake\n    options:\n      endpoint: x:1\n"
      "  - name: b\n    driver: fake\n    options:\n      endpoint: x:2\n"
      "workload:\n  message_size: 100B\n" +
      tail;
  return ParseExperiment(text, "t.yaml", TestSchemas());
}

TEST(ThresholdsTest, ParsesOperatorsAndUnits) {
  ParseOutcome o = Parse(
      "thresholds:\n"
      "  all:\n"
      "    e2e_latency.corrected.p99: \"< 20ms\"\n"
      "    accounting.lost: \"== 0\"\n"
      "  b:\n"
      "    throughput.received_msgs_per_s: \"> 50k\"\n"
      "    publish_latency_ns.uncorrected.max: \">= 1.5s\"\n"
      "    accounting.duplicated: \"!= 1M\"\n"
      "    throughput.received_mb_per_s: \"<= 12.5\"\n");
  ASSERT_TRUE(o.ok()) << Describe(o);
  const auto& t = o.experiment.thresholds;
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].scope, "all");
  EXPECT_EQ(t[0].metric, "e2e_latency.corrected.p99");
  EXPECT_EQ(t[0].op, ThresholdSpec::Op::kLess);
  EXPECT_DOUBLE_EQ(t[0].value, 20e6);
  EXPECT_EQ(t[0].location.line, 15);
  EXPECT_EQ(t[1].op, ThresholdSpec::Op::kEqual);
  EXPECT_EQ(t[2].scope, "b");
  EXPECT_EQ(t[2].op, ThresholdSpec::Op::kGreater);
  EXPECT_DOUBLE_EQ(t[2].value, 50e3);
  EXPECT_EQ(t[3].metric, "publish_latency.uncorrected.max");
  EXPECT_DOUBLE_EQ(t[3].value, 1.5e9);
  EXPECT_EQ(t[4].op, ThresholdSpec::Op::kNotEqual);
  EXPECT_DOUBLE_EQ(t[4].value, 1e6);
  EXPECT_EQ(t[5].op, ThresholdSpec::Op::kLessEqual);
}

TEST(ThresholdsTest, UnknownMetricBadOperatorBadValueAndScope) {
  ParseOutcome o = Parse(
      "thresholds:\n"
      "  all:\n"
      "    e2e_latency.corrected.p98: \"< 20ms\"\n"
      "    accounting.lost: \"=< 0\"\n"
      "    e2e_latency.corrected.p99: \"< 20\"\n"
      "  c:\n"
      "    accounting.lost: \"== 0\"\n");
  ASSERT_EQ(o.diagnostics.size(), 4u) << Describe(o);
  const std::string text = Describe(o);
  EXPECT_NE(text.find("t.yaml:15:5: thresholds.all.e2e_latency.corrected.p98: unknown metric"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("did you mean `e2e_latency.corrected.p90`?"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:16:22:"), std::string::npos) << text;
  EXPECT_NE(text.find("does not start with a comparison operator"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:17:32:"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:18:3: thresholds.c: unknown system `c`"), std::string::npos) << text;
}

TEST(ThresholdsTest, ComparisonValues) {
  using spec_internal::ParseComparison;
  EXPECT_DOUBLE_EQ(ParseComparison("<250us", MetricKind::kLatencyNs)->value, 250e3);
  EXPECT_DOUBLE_EQ(ParseComparison("> 1.5M/s", MetricKind::kRate)->value, 1.5e6);
  EXPECT_FALSE(ParseComparison("> -1", MetricKind::kCount).ok());
  EXPECT_FALSE(ParseComparison("> 5 apples", MetricKind::kCount).ok());
  EXPECT_FALSE(ParseComparison("20ms", MetricKind::kLatencyNs).ok());
  EXPECT_FALSE(ParseComparison("<", MetricKind::kLatencyNs).ok());
}

TEST(MatrixTest, CartesianProductWithRepeat) {
  ParseOutcome o = Parse(
      "repeat: 3\n"
      "matrix:\n"
      "  workload.message_size: [100B, 1KiB]\n"
      "  systems.b.options.acks: [\"1\", all]\n");
  ASSERT_TRUE(o.ok()) << Describe(o);
  EXPECT_EQ(o.experiment.repeat, 3);
  ASSERT_EQ(o.experiment.matrix.size(), 2u);
  ASSERT_EQ(o.experiment.points.size(), 4u);
  const MatrixPoint& last = o.experiment.points[3];
  ASSERT_EQ(last.values.size(), 2u);
  EXPECT_EQ(last.values[0], (std::pair<std::string, std::string>{"workload.message_size", "1KiB"}));
  EXPECT_EQ(last.values[1].second, "all");
  EXPECT_EQ(last.workload.message_size.fixed_bytes, 1024);
  EXPECT_EQ(std::get<std::string>(last.systems[1].options.all().at("acks")), "all");
  EXPECT_EQ(o.experiment.points[0].workload.message_size.fixed_bytes, 100);
  EXPECT_EQ(std::get<std::string>(o.experiment.points[0].systems[1].options.all().at("acks")), "1");
}

TEST(MatrixTest, NoMatrixGivesOnePoint) {
  ParseOutcome o = Parse("");
  ASSERT_TRUE(o.ok()) << Describe(o);
  ASSERT_EQ(o.experiment.points.size(), 1u);
  EXPECT_TRUE(o.experiment.points[0].values.empty());
  EXPECT_EQ(o.experiment.points[0].systems.size(), 2u);
  EXPECT_EQ(o.experiment.repeat, 1);
}

TEST(MatrixTest, BadValuesAndPathsPointAtTheMatrix) {
  ParseOutcome o = Parse(
      "matrix:\n"
      "  workload.message_size: [100B, 1KiX]\n"
      "  systems.b.options.acks: [\"1\", sometimes]\n"
      "  systems.bx.options.acks: [\"1\"]\n"
      "  workload.mesage_size: [1KiB]\n"
      "  cluster.size: [1]\n");
  const std::string text = Describe(o);
  EXPECT_NE(text.find("t.yaml:16:3: matrix: no system named `bx`"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:18:3: matrix: the path `cluster.size` must start with"), std::string::npos)
      << text;
  // The paths that are sound still expand; their bad values are reported where they are written.
  EXPECT_FALSE(o.ok());
}

TEST(MatrixTest, BadValuesReportedAtTheValue) {
  ParseOutcome o = Parse(
      "matrix:\n"
      "  workload.message_size: [100B, 1KiX]\n"
      "  systems.b.options.acks: [\"1\", sometimes]\n"
      "  workload.mesage_size: [1KiB]\n");
  const std::string text = Describe(o);
  EXPECT_NE(text.find("t.yaml:14:33: workload.message_size:"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:15:33: systems[1].options.acks:"), std::string::npos) << text;
  EXPECT_NE(text.find("t.yaml:16:3: workload.mesage_size:"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean `message_size`?"), std::string::npos) << text;
  EXPECT_NE(text.find("in matrix point {"), std::string::npos) << text;
  // Each problem once, although it occurs in several points.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
}

}  // namespace
}  // namespace bakeoff
