// omb-result.json from known histograms and samples: OMB's names, units and per-period lists.
#include "results/omb_result.h"

#include <gtest/gtest.h>

namespace bakeoff {
namespace {

// The one value every interval holds, as the histogram reports it (bucketed).
int64_t second_value() {
  Histogram h;
  h.Record(7'000'000);
  return h.ValueAtPercentile(99);
}

ExperimentResult OneRun() {
  ExperimentResult result;
  result.experiment.name = "omb-unit";
  result.experiment.workload.topics = 2;
  result.experiment.workload.partitions = 3;
  result.experiment.workload.producers = 4;
  result.experiment.workload.consumers = 2;
  result.experiment.workload.message_size.fixed_bytes = 512;
  result.experiment.points.push_back(MatrixPoint{{}, {}, result.experiment.workload});
  RunRecord run;
  run.system = "mem";
  run.has_metrics = true;
  RunMetrics& m = run.metrics;
  for (int64_t ms = 1; ms <= 100; ++ms) {
    m.publish.uncorrected.Record(ms * 1'000'000);
    m.publish.corrected.Record(ms * 2'000'000);
    m.e2e.uncorrected.Record(ms * 3'000'000);
    m.e2e.corrected.Record(ms * 4'000'000);
    m.publish_delay.Record(ms * 1'000);  // 1..100 us
  }
  // 1 s warm-up sample, then two measured seconds (intervals), the second with one send error.
  m.series = {{.t_s = 1.0, .warmup = true, .sent = 100, .received = 90},
              {.t_s = 2.0, .sent = 200, .received = 190},
              {.t_s = 3.0, .sent = 300, .received = 320, .send_errors = 1}};
  Histogram second;
  second.Record(7'000'000);
  IntervalHistograms interval;
  interval.start_ns = 1'000'000'000;
  interval.length_ns = 1'000'000'000;
  interval.publish_uncorrected = SparseHistogram(second);
  interval.e2e_uncorrected = SparseHistogram(second);
  interval.publish_delay = SparseHistogram(second);
  m.intervals.push_back(interval);
  interval.start_ns = 2'000'000'000;
  m.intervals.push_back(interval);
  result.runs.push_back(run);
  return result;
}

TEST(OmbResultTest, NamesUnitsAndPeriodsFollowOmb) {
  const ExperimentResult result = OneRun();
  const nlohmann::json omb = RunToOmbResult(result, 0);
  const RunMetrics& m = result.runs[0].metrics;
  EXPECT_EQ(omb["workload"], "omb-unit");
  EXPECT_EQ(omb["driver"], "mem");
  EXPECT_EQ(omb["messageSize"], 512);
  EXPECT_EQ(omb["topics"], 2);
  EXPECT_EQ(omb["partitions"], 3);
  EXPECT_EQ(omb["producersPerTopic"], 2);
  EXPECT_EQ(omb["consumersPerTopic"], 1);
  // Uncorrected, in ms; the publish delay in us.
  EXPECT_DOUBLE_EQ(omb["aggregatedPublishLatency99pct"].get<double>() * 1e6,
                   static_cast<double>(m.publish.uncorrected.ValueAtPercentile(99)));
  EXPECT_DOUBLE_EQ(omb["aggregatedPublishLatencyMax"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(omb["aggregatedEndToEndLatencyMax"].get<double>(), 300.0);
  EXPECT_DOUBLE_EQ(omb["aggregatedEndToEndLatencyAvg"].get<double>(), 151.5);
  EXPECT_EQ(omb["aggregatedPublishDelayLatencyMax"], 100);
  EXPECT_DOUBLE_EQ(omb["bakeoffCorrected"]["aggregatedEndToEndLatencyMax"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(omb["bakeoffCorrected"]["aggregatedPublishLatencyMax"].get<double>(), 200.0);
  EXPECT_DOUBLE_EQ(omb["aggregatedEndToEndLatencyQuantiles"]["100.0"].get<double>(), 300.0);
  EXPECT_TRUE(omb["aggregatedEndToEndLatencyQuantiles"].contains("99.9"));
  // One entry per interval; the warm-up second counts only towards the backlog.
  ASSERT_EQ(omb["publishRate"].size(), 2u);
  EXPECT_DOUBLE_EQ(omb["publishRate"][0].get<double>(), 200.0);
  EXPECT_DOUBLE_EQ(omb["publishRate"][1].get<double>(), 300.0);
  EXPECT_DOUBLE_EQ(omb["consumeRate"][1].get<double>(), 320.0);
  EXPECT_DOUBLE_EQ(omb["publishErrorRate"][1].get<double>(), 1.0);
  EXPECT_EQ(omb["backlog"][0], 20);  // 300 sent - 280 received
  EXPECT_EQ(omb["backlog"][1], 0);
  EXPECT_DOUBLE_EQ(omb["publishLatency99pct"][0].get<double>() * 1e6, static_cast<double>(second_value()));
  EXPECT_EQ(omb["publishDelayLatency50pct"][1], std::llround(second_value() / 1e3));
  EXPECT_EQ(omb["endToEndLatencyMax"].size(), 2u);
  EXPECT_NE(omb["bakeoff"]["note"].get<std::string>().find("uncorrected"), std::string::npos);
}

}  // namespace
}  // namespace bakeoff
