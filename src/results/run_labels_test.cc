// Run labels, guarantee and stand-in rows in the terminal table and the report: two systems x two
// matrix points x two repeats give eight columns that each say which run they are.
#include "results/run_labels.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "results/report_html.h"
#include "results/result_json.h"
#include "results/summary_table.h"

namespace bakeoff {
namespace {

ExperimentResult MatrixResult() {
  ExperimentResult result;
  result.experiment.name = "labels";
  result.experiment.repeat = 2;
  const char* sizes[] = {"100B", "1KiB"};
  for (int point = 0; point < 2; ++point) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      for (const char* system : {"redis", "kafka"}) {
        RunRecord run;
        run.system = system;
        run.driver = std::string(system) == "redis" ? "redis-streams" : "kafka";
        run.point_index = point;
        run.repeat_index = repeat;
        run.matrix_point = {{"workload.message_size", sizes[point]}};
        if (run.driver == "kafka") {
          run.provider = "embedded";
          run.environment_facts["stand_in"] = "librdkafka mock cluster (not Apache Kafka)";
          run.driver_facts["delivery_guarantee"] =
              "at-least-once, acked by all in-sync replicas (replication factor 3)";
        } else {
          run.provider = "local";
          run.driver_facts["delivery_guarantee"] =
              "at-least-once, XADD acked from the server's memory, AOF off";
        }
        result.runs.push_back(run);
      }
    }
  }
  return result;
}

TEST(RunLabelsTest, EveryMatrixColumnNamesItsPointAndRepeat) {
  const ExperimentResult result = MatrixResult();
  const std::vector<std::string> labels = RunColumnLabels(result);
  ASSERT_EQ(labels.size(), 8u);
  EXPECT_EQ(std::set<std::string>(labels.begin(), labels.end()).size(), 8u);
  EXPECT_EQ(labels[0], "redis p1 r1");
  EXPECT_EQ(labels[3], "kafka p1 r2");
  EXPECT_EQ(labels[7], "kafka p2 r2");
  const std::vector<std::string> legend = PointLegend(result);
  ASSERT_EQ(legend.size(), 2u);
  EXPECT_EQ(legend[1], "p2: workload.message_size=1KiB");
}

TEST(RunLabelsTest, OneRunIsJustItsSystem) {
  ExperimentResult result;
  RunRecord run;
  run.system = "memory";
  result.runs.push_back(run);
  EXPECT_EQ(RunColumnLabels(result), std::vector<std::string>{"memory"});
  EXPECT_TRUE(PointLegend(result).empty());
  EXPECT_EQ(DeliveryGuarantee(run), "-");
  EXPECT_EQ(StandIn(run), "");
}

TEST(RunLabelsTest, TerminalTableShowsGuaranteeStandInAndLegend) {
  const std::string table = RenderSummaryTable(MatrixResult());
  std::istringstream lines(table);
  std::string header, guarantee_line, stand_in_line, line;
  std::getline(lines, header);
  while (std::getline(lines, line)) {
    if (line.rfind("delivery guarantee", 0) == 0) guarantee_line = line;
    if (line.rfind("stand-in", 0) == 0) stand_in_line = line;
  }
  EXPECT_NE(header.find("redis p2 r1"), std::string::npos) << header;
  EXPECT_NE(guarantee_line.find("AOF off"), std::string::npos) << table;
  EXPECT_NE(guarantee_line.find("replication factor 3"), std::string::npos) << table;
  EXPECT_NE(stand_in_line.find("librdkafka mock cluster (not Apache Kafka)"), std::string::npos) << table;
  EXPECT_NE(table.find("p1: workload.message_size=100B"), std::string::npos) << table;
}

TEST(RunLabelsTest, ReportNamesGuaranteeAndStandIn) {
  const std::string html = RenderReportHtml({ResultToJson(MatrixResult())});
  EXPECT_NE(html.find("<th class=\"k\">delivery guarantee</th>"), std::string::npos);
  EXPECT_NE(html.find("XADD acked from the server's memory, AOF off"), std::string::npos);
  EXPECT_NE(html.find("id=\"stand-ins\""), std::string::npos);
  EXPECT_NE(html.find("(stand-in: librdkafka mock cluster (not Apache Kafka))"), std::string::npos);
}

TEST(RunLabelsTest, ReportWithoutStandInsHasNoStandInNote) {
  ExperimentResult result;
  RunRecord run;
  run.system = "memory";
  run.driver = "memory";
  result.runs.push_back(run);
  EXPECT_EQ(RenderReportHtml({ResultToJson(result)}).find("id=\"stand-ins\""), std::string::npos);
}

}  // namespace
}  // namespace bakeoff
