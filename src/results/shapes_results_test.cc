// Rate steps, find_max and backlog figures in result.json, the report and the terminal table, and the
// verdicts of runs with steps.
#include <gtest/gtest.h>

#include "results/report_html.h"
#include "results/result_json.h"
#include "results/summary_table.h"

namespace bakeoff {
namespace {

StepMetrics Step(double target, double sent, double received, int64_t p99_ns, bool met,
                 std::string why = "") {
  StepMetrics s;
  s.rate_target = target;
  s.duration_s = 2;
  s.sent_per_s = sent;
  s.received_per_s = received;
  s.sent = static_cast<uint64_t>(sent * 2);
  s.received = static_cast<uint64_t>(received * 2);
  for (int i = 0; i < 100; ++i) s.e2e.Record(p99_ns);
  s.publish.Record(p99_ns / 2);
  s.met = met;
  s.why = std::move(why);
  return s;
}

ExperimentResult SearchResult() {
  ExperimentResult result;
  result.experiment.name = "search";
  RunRecord run;
  run.system = "mem";
  run.driver = "memory";
  run.has_metrics = true;
  run.metrics.measured_ns = 10'000'000'000;
  run.metrics.measured_sent = 50'000;
  run.metrics.measured_received = 50'000;
  run.metrics.steps = {Step(2'000, 2'000, 2'000, 1'000'000, true),
                       Step(4'000, 3'000, 3'000, 900'000'000, false, "sent"),
                       Step(3'000, 3'000, 3'000, 2'000'000, true)};
  run.metrics.find_max = FindMaxOutcome{.objective = "e2e_latency.corrected.p99 < 50ms",
                                        .found = true,
                                        .found_rate = 3'000,
                                        .steps = 3,
                                        .ended = "within 5%"};
  result.runs.push_back(run);
  return result;
}

TEST(ShapesResultsTest, StepsAndSearchAreInResultJson) {
  const nlohmann::json j = ResultToJson(SearchResult());
  const nlohmann::json& run = j["runs"][0];
  ASSERT_EQ(run["steps"].size(), 3u);
  EXPECT_DOUBLE_EQ(run["steps"][1]["rate_target"].get<double>(), 4'000);
  EXPECT_FALSE(run["steps"][1]["met"].get<bool>());
  EXPECT_EQ(run["steps"][1]["why"], "sent");
  EXPECT_EQ(run["steps"][1]["e2e_latency_ns"]["corrected"]["count"], 100);
  EXPECT_GE(run["steps"][1]["e2e_latency_ns"]["corrected"]["p99"].get<int64_t>(), 890'000'000);
  EXPECT_TRUE(run["steps"][0].contains("publish_latency_ns"));
  EXPECT_TRUE(run["steps"][0].contains("backlog_growth"));
  EXPECT_DOUBLE_EQ(run["find_max"]["found_rate"].get<double>(), 3'000);
  EXPECT_EQ(run["find_max"]["steps"], 3);
  EXPECT_FALSE(run.contains("backlog"));
}

TEST(ShapesResultsTest, ReportAndTableShowEveryStep) {
  const ExperimentResult result = SearchResult();
  const std::string html = RenderReportHtml({ResultToJson(result)});
  EXPECT_NE(html.find("<h2>Rate steps</h2>"), std::string::npos);
  EXPECT_NE(html.find("id=\"find-max-result\""), std::string::npos);
  EXPECT_NE(html.find("Max sustainable rate: 3000 msg/s"), std::string::npos)
      << html.substr(html.find("find-max"), 200);
  size_t rows = 0;
  for (size_t at = html.find("class=\"steps\""); (at = html.find("<tr><td>", at + 1)) != std::string::npos;)
    ++rows;
  EXPECT_GE(rows, 3u);
  EXPECT_NE(html.find("no: sent"), std::string::npos);
  const std::string table = RenderSummaryTable(result);
  EXPECT_NE(table.find("max sustainable msg/s"), std::string::npos) << table;
  EXPECT_NE(table.find("mem steps:"), std::string::npos) << table;
  EXPECT_NE(table.find("no: sent"), std::string::npos) << table;
}

TEST(ShapesResultsTest, FailingSearchStepsAreNoVerdictButFailingRateStepsAre) {
  const ExperimentResult result = SearchResult();
  WorkloadSpec search;
  search.rate.find_max = FindMaxSpec{.p99_e2e_bound_ns = 50'000'000, .start_msgs_per_s = 2'000};
  search.rate.msgs_per_s = 2'000;
  std::string why;
  EXPECT_EQ(MeasuredVerdict(search, result.runs[0].metrics, &why), RunStatus::kOk) << why;

  WorkloadSpec steps;
  steps.rate.steps = {{2'000, 2'000'000'000}, {4'000, 2'000'000'000}, {3'000, 2'000'000'000}};
  steps.rate.msgs_per_s = 2'000;
  EXPECT_EQ(MeasuredVerdict(steps, result.runs[0].metrics, &why), RunStatus::kNotSustained);
  EXPECT_NE(why.find("step 2 (4000 msg/s)"), std::string::npos) << why;
  RunMetrics all_met = result.runs[0].metrics;
  for (StepMetrics& s : all_met.steps) s.met = true;
  EXPECT_EQ(MeasuredVerdict(steps, all_met, &why), RunStatus::kOk);
}

TEST(ShapesResultsTest, BacklogIsInResultJsonReportAndTable) {
  ExperimentResult result;
  result.experiment.name = "backlog";
  RunRecord run;
  run.system = "redis";
  run.has_metrics = true;
  run.metrics.measured_ns = 1'000'000'000;
  run.metrics.measured_sent = 1'000;
  BacklogMetrics b;
  b.target_messages = 200'000;
  b.messages = 200'100;
  b.bytes = 200'100 * 100;
  b.build_s = 4.0;
  b.drain_s = 1.5;
  b.drained = true;
  b.drain_read_per_s = 183'000;
  b.producer_rate_during_drain = 50'000;
  b.e2e_during_drain.Record(2'000'000'000);
  b.e2e_after_drain.Record(1'000'000);
  run.metrics.backlog = b;
  result.runs.push_back(run);
  const nlohmann::json j = ResultToJson(result);
  const nlohmann::json& backlog = j["runs"][0]["backlog"];
  EXPECT_EQ(backlog["messages"], 200'100);
  EXPECT_DOUBLE_EQ(backlog["drain_s"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(backlog["drain_read_per_s"].get<double>(), 183'000);
  EXPECT_DOUBLE_EQ(backlog["producer_rate_during_drain"].get<double>(), 50'000);
  EXPECT_GE(backlog["e2e_latency_during_drain_ns"]["corrected"]["p99"].get<int64_t>(), 1'990'000'000);
  EXPECT_LE(backlog["e2e_latency_after_drain_ns"]["corrected"]["p99"].get<int64_t>(), 1'010'000);
  EXPECT_TRUE(backlog.contains("publish_latency_during_drain_ns"));
  const std::string html = RenderReportHtml({j});
  EXPECT_NE(html.find("<h2>Backlog build and drain</h2>"), std::string::npos);
  EXPECT_NE(html.find("drain read rate"), std::string::npos);
  EXPECT_NE(html.find("183 k/s"), std::string::npos) << html.substr(html.find("table-backlog"), 600);
  const std::string table = RenderSummaryTable(result);
  EXPECT_NE(table.find("drain time"), std::string::npos) << table;
  EXPECT_NE(table.find("1.50 s"), std::string::npos) << table;
}

}  // namespace
}  // namespace bakeoff
