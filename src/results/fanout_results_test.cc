// Fan-out in results: accounting.subscriptions[] in result.json, read back (and files without it), the
// summary table's and the report's per-subscription lines, and the per-subscription sustain verdict.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "results/report_html.h"
#include "results/result_check.h"
#include "results/result_json.h"
#include "results/summary_table.h"

namespace bakeoff {
namespace {

using nlohmann::json;

// Three subscriptions of 1000 messages each; subscription 1 lost 7 and got 2 twice.
RunMetrics FanoutMetrics() {
  RunMetrics m;
  m.measured_ns = 1'000'000'000;
  m.measured_sent = 1000;
  for (int k = 0; k < 3; ++k) {
    SubscriptionMetrics s;
    s.index = k;
    s.accounting.sent = 1000;
    s.accounting.acked = 1000;
    s.accounting.lost = k == 1 ? 7 : 0;
    s.accounting.duplicated = k == 1 ? 2 : 0;
    s.accounting.received = 1000 - s.accounting.lost + s.accounting.duplicated;
    s.measured_received = s.accounting.received;
    for (int i = 1; i <= 100; ++i) s.e2e.corrected.Record(int64_t{i} * 10'000 * (k + 1));
    s.e2e.uncorrected.Record(5'000);
    m.e2e.corrected.Merge(s.e2e.corrected);
    m.accounting.received += s.accounting.received;
    m.accounting.lost += s.accounting.lost;
    m.accounting.duplicated += s.accounting.duplicated;
    m.measured_received += s.measured_received;
    m.subscriptions.push_back(s);
  }
  m.accounting.sent = m.accounting.acked = 1000;
  return m;
}

ExperimentResult FanoutResult() {
  ExperimentResult result;
  result.experiment.name = "fanout";
  result.experiment.workload.subscriptions = 3;
  RunRecord run;
  run.system = "mem";
  run.driver = "memory";
  run.has_metrics = true;
  run.metrics = FanoutMetrics();
  result.runs.push_back(run);
  return result;
}

class FanoutResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/fanout-results-" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const json& j) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/result.json") << j.dump();
    return dir_;
  }
  std::string dir_;
};

TEST_F(FanoutResultsTest, ResultJsonHoldsEachSubscriptionsAccounting) {
  const json j = ResultToJson(FanoutResult());
  EXPECT_EQ(j["experiment"]["workload"]["subscriptions"], 3);
  const json& accounting = j["runs"][0]["metrics"]["accounting"];
  EXPECT_EQ(accounting["received"], 3000 - 7 + 2);
  EXPECT_EQ(accounting["lost"], 7);
  ASSERT_TRUE(accounting["subscriptions"].is_array());
  ASSERT_EQ(accounting["subscriptions"].size(), 3u);
  for (int k = 0; k < 3; ++k) {
    const json& s = accounting["subscriptions"][k];
    EXPECT_EQ(s["index"], k);
    EXPECT_EQ(s["sent"], 1000);
    EXPECT_EQ(s["lost"], k == 1 ? 7 : 0);
    EXPECT_EQ(s["duplicated"], k == 1 ? 2 : 0);
    EXPECT_EQ(s["received"], k == 1 ? 995 : 1000);
    EXPECT_EQ(s["out_of_order"], 0);
    EXPECT_DOUBLE_EQ(s["received_msgs_per_s"].get<double>(), k == 1 ? 995.0 : 1000.0);
    EXPECT_EQ(s["e2e_latency_ns"]["corrected"]["count"], 100);
    // Each subscription's own latency: 10 us steps times (index + 1).
    EXPECT_NEAR(s["e2e_latency_ns"]["corrected"]["max"].get<double>(), 1'000'000.0 * (k + 1),
                1'000.0 * (k + 1));
  }
  // One subscription: no array (its figures are the run's).
  ExperimentResult single = FanoutResult();
  single.runs[0].metrics.subscriptions.clear();
  EXPECT_FALSE(ResultToJson(single)["runs"][0]["metrics"]["accounting"].contains("subscriptions"));
}

TEST_F(FanoutResultsTest, ReadingBackAcceptsTheArrayAndFilesWithoutIt) {
  const json j = ResultToJson(FanoutResult());
  Result<json> loaded = LoadResultFile(Write(j));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)["runs"][0]["metrics"]["accounting"]["subscriptions"][1]["lost"], 7);

  json old = j;
  old["runs"][0]["metrics"]["accounting"].erase("subscriptions");
  old["experiment"]["workload"].erase("subscriptions");
  loaded = LoadResultFile(Write(old));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();

  json bad = j;
  bad["runs"][0]["metrics"]["accounting"]["subscriptions"][1]["lost"] = "seven";
  loaded = LoadResultFile(Write(bad));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(
      loaded.status().message().find("runs[0].metrics.accounting.subscriptions[1].lost: expected an integer"),
      std::string::npos)
      << loaded.status().message();

  bad = j;
  bad["runs"][0]["metrics"]["accounting"]["subscriptions"] = 3;
  loaded = LoadResultFile(Write(bad));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("accounting.subscriptions: expected an array"), std::string::npos)
      << loaded.status().message();

  bad = j;
  bad["runs"][0]["metrics"]["accounting"]["subscriptions"][2]["e2e_latency_ns"]["corrected"]["p99"] = "fast";
  loaded = LoadResultFile(Write(bad));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("subscriptions[2].e2e_latency_ns.corrected.p99"),
            std::string::npos)
      << loaded.status().message();
}

TEST_F(FanoutResultsTest, SummaryTableAndReportShowEachSubscription) {
  const std::string table = RenderSummaryTable(FanoutResult());
  EXPECT_NE(table.find("sub 0 rcv/lost/dup"), std::string::npos) << table;
  EXPECT_NE(table.find("995/7/2"), std::string::npos) << table;
  EXPECT_NE(table.find("sub 2 e2e p99"), std::string::npos) << table;

  ExperimentResult single = FanoutResult();
  single.runs[0].metrics.subscriptions.clear();
  EXPECT_EQ(RenderSummaryTable(single).find("sub 0"), std::string::npos);

  const std::string html = RenderReportHtml({ResultToJson(FanoutResult())});
  EXPECT_NE(html.find("subscription 1 (e2e p99"), std::string::npos);
  // Lost 7: in the run's row and in subscription 1's.
  size_t bad_sevens = 0;
  for (size_t at = html.find("<td class=\"bad\">7</td>"); at != std::string::npos;
       at = html.find("<td class=\"bad\">7</td>", at + 1))
    ++bad_sevens;
  EXPECT_EQ(bad_sevens, 2u);
}

TEST_F(FanoutResultsTest, EverySubscriptionMustKeepUpWithAFixedRate) {
  WorkloadSpec workload;
  workload.rate.msgs_per_s = 1000;
  workload.subscriptions = 3;
  RunMetrics m = FanoutMetrics();
  std::string why;
  EXPECT_EQ(MeasuredVerdict(workload, m, &why), RunStatus::kOk) << why;
  // Subscription 2 fell to half the rate; together they still received more than the target.
  m.subscriptions[2].measured_received = 500;
  m.measured_received = 1000 + 995 + 500;
  EXPECT_EQ(MeasuredVerdict(workload, m, &why), RunStatus::kNotSustained);
  EXPECT_NE(why.find("subscription 2 received 500 msg/s"), std::string::npos) << why;
}

}  // namespace
}  // namespace bakeoff
