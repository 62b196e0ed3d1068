// Fan-out in experiment files: `subscriptions`, and `consumers_per_subscription` as a synonym of
// `consumers`; the bounds and the errors, each naming its field and line.
#include <gtest/gtest.h>

#include <string>

#include "spec/limits.h"
#include "spec/parser.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

ParseOutcome ParseWithWorkload(const std::string& workload_lines) {
  return ParseExperiment("name: x\nsystems: [{name: a, driver: memory}]\nworkload:\n" + workload_lines,
                         "fan.yaml", spec_test::TestSchemas());
}

std::string Describe(const ParseOutcome& outcome) {
  std::string text;
  for (const Diagnostic& d : outcome.diagnostics) text += d.ToString() + "\n";
  return text;
}

TEST(WorkloadFanoutTest, DefaultsToOneSubscription) {
  ParseOutcome outcome = ParseWithWorkload("  consumers: 2\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.subscriptions, 1);
  EXPECT_EQ(outcome.experiment.workload.consumers, 2);
  EXPECT_EQ(outcome.experiment.workload.consumer_threads(), 2);
}

TEST(WorkloadFanoutTest, SubscriptionsAndConsumersPerSubscription) {
  ParseOutcome outcome = ParseWithWorkload("  subscriptions: 3\n  consumers: 2\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.subscriptions, 3);
  EXPECT_EQ(outcome.experiment.workload.consumers, 2);
  EXPECT_EQ(outcome.experiment.workload.consumer_threads(), 6);

  outcome = ParseWithWorkload("  subscriptions: 4\n  consumers_per_subscription: 3\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.subscriptions, 4);
  EXPECT_EQ(outcome.experiment.workload.consumers, 3);
}

TEST(WorkloadFanoutTest, BothSynonymsIsAnErrorAtTheSecond) {
  for (const std::string& lines : {std::string("  consumers: 2\n  consumers_per_subscription: 3\n"),
                                   std::string("  consumers_per_subscription: 3\n  consumers: 2\n")}) {
    ParseOutcome outcome = ParseWithWorkload(lines);
    ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
    const Diagnostic& d = outcome.diagnostics[0];
    EXPECT_EQ(d.location.file, "fan.yaml");
    EXPECT_EQ(d.location.line, 5) << d.ToString();  // the second of the two
    EXPECT_NE(d.message.find("synonym"), std::string::npos) << d.ToString();
    EXPECT_NE(d.message.find("keep one of them"), std::string::npos) << d.ToString();
  }
}

TEST(WorkloadFanoutTest, BoundsNameTheField) {
  ParseOutcome outcome = ParseWithWorkload("  subscriptions: 0\n");
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].field_path, "workload.subscriptions");
  EXPECT_EQ(outcome.diagnostics[0].location.line, 4);

  outcome = ParseWithWorkload("  subscriptions: " + std::to_string(kMaxSubscriptions + 1) + "\n");
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].field_path, "workload.subscriptions");

  outcome = ParseWithWorkload("  subscriptions: many\n");
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].field_path, "workload.subscriptions");

  // 64 x 17 = 1088 consumer threads: more than one run may have; reported at the later of the two keys.
  outcome = ParseWithWorkload("  subscriptions: 64\n  consumers_per_subscription: 17\n");
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].field_path, "workload.consumers_per_subscription");
  EXPECT_EQ(outcome.diagnostics[0].location.line, 5);
  EXPECT_NE(outcome.diagnostics[0].message.find("1088 consumer threads"), std::string::npos)
      << Describe(outcome);

  outcome = ParseWithWorkload("  subscriptions: 64\n  consumers: 16\n");
  EXPECT_TRUE(outcome.ok()) << Describe(outcome);  // exactly 1024
}

}  // namespace
}  // namespace bakeoff
