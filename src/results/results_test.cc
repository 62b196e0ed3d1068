// Exports (hlog round trip, CSV), statistics and the report's structure.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "drivers/memory/memory_driver.h"
#include "measure/clock.h"
#include "results/artifacts.h"
#include "results/exports.h"
#include "results/hdr_log.h"
#include "results/report_html.h"
#include "results/report_svg.h"
#include "results/result_json.h"
#include "results/statistics.h"
#include "spec/units.h"
#include "workload/runner.h"

namespace bakeoff {
namespace {

Histogram LatencyLike(uint32_t seed) {
  Histogram h;
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(11.0, 1.5);  // ~60 us median, long tail
  for (int i = 0; i < 200000; ++i) h.Record(static_cast<int64_t>(dist(rng)));
  h.Record(0);
  h.Record(Histogram::kHighestTrackableNs);
  return h;
}

void ExpectSameCounts(const Histogram& a, const Histogram& b) {
  ASSERT_EQ(a.bucket_count(), b.bucket_count());
  EXPECT_EQ(a.total_count(), b.total_count());
  for (size_t i = 0; i < a.bucket_count(); ++i)
    ASSERT_EQ(a.count_at_index(i), b.count_at_index(i)) << "index " << i;
}

TEST(HdrLogTest, CompressedEncodingRoundTripsExactly) {
  const Histogram h = LatencyLike(1);
  const std::string bytes = EncodeHistogramCompressed(h);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1c);
  EXPECT_EQ(static_cast<unsigned char>(bytes[3]), 0x14);  // 0x1c849304 with word size 8
  Result<Histogram> decoded = DecodeHistogramCompressed(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectSameCounts(h, *decoded);
  EXPECT_FALSE(DecodeHistogramCompressed(bytes.substr(0, bytes.size() / 2)).ok());
}

TEST(HdrLogTest, EmptyHistogramRoundTrips) {
  Result<Histogram> decoded = DecodeHistogramCompressed(EncodeHistogramCompressed(Histogram()));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->total_count(), 0u);
}

TEST(HdrLogTest, Base64) {
  EXPECT_EQ(Base64Encode("Man"), "TWFu");
  EXPECT_EQ(Base64Encode("Ma"), "TWE=");
  EXPECT_EQ(Base64Encode("M"), "TQ==");
  EXPECT_EQ(*Base64Decode("TWE="), "Ma");
  EXPECT_FALSE(Base64Decode("T!E=").ok());
}

TEST(HdrLogTest, LogFileRoundTrips) {
  std::vector<HlogInterval> intervals = {{"e2e_corrected", 0, 1.5, LatencyLike(2)},
                                         {"e2e_uncorrected", 1.5, 1.0, LatencyLike(3)}};
  const std::string text = RenderHlog(intervals, 1700000000.25, "test");
  EXPECT_EQ(text.rfind("#[Histogram log format version 1.3]\n", 0), 0u);
  EXPECT_NE(text.find("#[StartTime: 1700000000.250 (seconds since epoch), "), std::string::npos);
  EXPECT_NE(text.find("#[BaseTime: 1700000000.250 (seconds since epoch)]"), std::string::npos);
  EXPECT_NE(
      text.find("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""),
      std::string::npos);
  EXPECT_NE(text.find("Tag=e2e_uncorrected,1.500,1.000,3600000.000,HISTF"), std::string::npos)
      << text.substr(0, 600);
  Result<std::vector<HlogInterval>> parsed = ParseHlog(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].tag, "e2e_uncorrected");
  EXPECT_DOUBLE_EQ((*parsed)[1].start_s, 1.5);
  ExpectSameCounts(intervals[0].histogram, (*parsed)[0].histogram);
  ExpectSameCounts(intervals[1].histogram, (*parsed)[1].histogram);
}

TEST(StatisticsTest, StudentQuantilesAndIntervals) {
  EXPECT_NEAR(StudentT975(1), 12.706, 1e-3);
  EXPECT_NEAR(StudentT975(4), 2.776, 1e-3);
  EXPECT_NEAR(StudentT975(30), 2.042, 1e-3);
  EXPECT_NEAR(StudentT975(1e6), 1.960, 1e-3);
  const SampleEstimate e = Estimate({10, 12, 14});
  EXPECT_DOUBLE_EQ(e.mean, 12);
  EXPECT_DOUBLE_EQ(e.stddev, 2);
  EXPECT_NEAR(e.ci95_high - e.mean, 4.303 * 2 / std::sqrt(3.0), 1e-3);
  const SampleEstimate one = Estimate({5});
  EXPECT_EQ(one.ci95_low, 5);
  EXPECT_EQ(one.ci95_high, 5);
}

TEST(StatisticsTest, WelchTTest) {
  // Reference p = 0.06428 (t = -2.074, df = 10.21), from numerically integrating the t density.
  const std::vector<double> a = {19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0};
  const std::vector<double> b = {28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7};
  EXPECT_NEAR(WelchTTestPValue(a, b), 0.06428, 1e-4);
  EXPECT_GT(WelchTTestPValue({1, 2, 3}, {1.1, 2.1, 2.9}), 0.8);
  EXPECT_EQ(WelchTTestPValue({1}, {5, 6}), 1);
  EXPECT_EQ(WelchTTestPValue({1, 1}, {2, 2}), 0);
}

ExperimentResult SmallResult() {
  ExperimentResult result;
  result.experiment.name = "unit";
  result.experiment.repeat = 2;
  for (int r = 0; r < 2; ++r) {
    RunRecord run;
    run.system = "mem";
    run.driver = "memory";
    run.repeat_index = r;
    run.matrix_point = {{"workload.message_size", "1KiB"}};
    run.has_metrics = true;
    run.metrics.measured_ns = 1'000'000'000;
    run.metrics.measured_received = 1000 + 100 * r;
    run.metrics.e2e.corrected = LatencyLike(10 + r);
    run.metrics.e2e.uncorrected = LatencyLike(20 + r);
    run.metrics.series.push_back(SecondSample{.t_s = 1, .received = 1000});
    result.runs.push_back(run);
  }
  return result;
}

TEST(ExportsTest, CsvHasStableColumnsAndOneRowPerRun) {
  const std::string csv = RenderCsv(ResultToJson(SmallResult()));
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(
      header.rfind("experiment,system,driver,provider,status,point_index,matrix_point,repeat_index,", 0), 0u);
  EXPECT_NE(header.find(",e2e_corrected_p99_ns,"), std::string::npos);
  EXPECT_NE(header.find(",e2e_uncorrected_p99_999_ns,"), std::string::npos);
  EXPECT_NE(header.find(",lost,duplicated,out_of_order,"), std::string::npos);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("unit,mem,memory,,ok,0,workload.message_size=1KiB,1,"), std::string::npos) << csv;
  const size_t columns = std::count(header.begin(), header.end(), ',');
  const std::string row =
      csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1);
  EXPECT_EQ(static_cast<size_t>(std::count(row.begin(), row.end(), ',')), columns);
}

TEST(ExportsTest, SummaryHasIntervalsAcrossRepeats) {
  const nlohmann::json j = ResultToJson(SmallResult());
  ASSERT_EQ(j["summary"].size(), 1u);
  const auto& m = j["summary"][0]["metrics"]["throughput.received_msgs_per_s"];
  EXPECT_EQ(m["n"], 2);
  EXPECT_DOUBLE_EQ(m["mean"].get<double>(), 1050);
  EXPECT_LT(m["ci95_low"].get<double>(), 1000);
  EXPECT_GT(m["ci95_high"].get<double>(), 1100);
}

// Two systems 1000x apart: on a log axis both show, with one round tick per decade between them.
TEST(ReportTest, LogLatencyAxisHasOneRoundTickPerDecade) {
  ChartAxis x{"percentile", nullptr, {{0, "0%"}, {1, "90%"}, {2, "99%"}}};
  ChartAxis y{"latency", [](double ns) { return FormatDurationNs(ns); }, {}};
  y.log = true;
  const std::vector<ChartSeries> series = {{"fast", {{0, 2e3}, {1, 5e3}, {2, 8e3}}},
                                           {"slow", {{0, 2e6}, {2, 8e6}}}};
  const std::string svg = LineChartSvg("c", "t", series, x, y);
  for (const char* tick : {">1 us<", ">10 us<", ">100 us<", ">1 ms<", ">10 ms<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(svg.find(">0 ns<"), std::string::npos);
  EXPECT_EQ(svg.find(">100 ms<"), std::string::npos);
  // 3 vertical + 5 horizontal grid lines.
  size_t grid = 0;
  for (size_t at = svg.find("class=\"g\""); at != std::string::npos; at = svg.find("class=\"g\"", at + 1)) {
    ++grid;
  }
  EXPECT_EQ(grid, 8u);
  // The fast series (2 us .. 8 us) spans a log10(4) / 4 share of the plot's height, not 0.1 px as on a
  // linear axis up to 8 ms.
  const size_t points = svg.find("points=\"") + 8;
  const double y_first = std::stod(svg.substr(svg.find(',', points) + 1));
  const size_t last = svg.rfind(',', svg.find('"', points));
  const double y_last = std::stod(svg.substr(last + 1));
  EXPECT_NEAR(y_first - y_last, (320 - 34 - 48) * std::log10(4.0) / 4, 1.0);
}

// Linear axes: round ticks in one unit, never below 0; a whisker reaching below 0 is clipped there.
TEST(ReportTest, LinearAxisHasRoundTicksInOneUnitAndNoNegativeRange) {
  ChartAxis y{"latency", nullptr, {}};
  y.unit = AxisUnit::kDurationNs;
  const std::vector<BarGroup> groups = {
      {"a", {{"s1", 2e6, -1e6, 5e6}}},  // a 95% interval of few repeats can reach below 0
      {"b", {{"s1", 7.3e6, 7.3e6, 7.3e6}}}};
  const std::string svg = BarChartSvg("c", "t", groups, y);
  EXPECT_NE(svg.find("data-y-min=\"0.0\""), std::string::npos) << svg;
  for (const char* tick : {">0 ms<", ">2 ms<", ">4 ms<", ">6 ms<", ">8 ms<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick << svg;
  }
  EXPECT_EQ(svg.find(" ns<"), std::string::npos) << "one unit per axis: " << svg;
  EXPECT_EQ(svg.find(">-"), std::string::npos) << svg;
  // The whisker's low end is drawn at the axis (y = 34 + 238), not below the plot.
  const size_t whisker = svg.find("class=\"whisker\"");
  ASSERT_NE(whisker, std::string::npos);
  const std::string d = svg.substr(svg.find(" d=\"M", whisker) + 5);
  EXPECT_NEAR(std::stod(d.substr(d.find(' ') + 1)), 34 + 238, 0.1) << d;
}

// 20 series with long labels: every label whole in the legend, colors reused only with a dash.
TEST(ReportTest, LegendHoldsTwentySeriesWithoutCuttingALabel) {
  std::vector<ChartSeries> series;
  for (int i = 0; i < 20; ++i) {
    series.push_back(
        {"a-rather-long-system-name-" + std::to_string(i) + " 1KiB, 20k/s", {{0, 1.0 * i}, {1, 2.0 * i}}});
  }
  ChartAxis x{"t", nullptr, {}};
  ChartAxis y{"v", nullptr, {}};
  const std::string svg = LineChartSvg("c", "t", series, x, y);
  for (const ChartSeries& s : series)
    EXPECT_NE(svg.find(">" + s.label + "</text>"), std::string::npos) << s.label;
  EXPECT_EQ(svg.find("…"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray=\"7 4\""), std::string::npos);  // series 13 .. 20
}

// A run that measured fine but failed a threshold is not "ok" in the overview.
TEST(ReportTest, StatusCellSaysThresholdFailed) {
  ExperimentResult result = SmallResult();
  ThresholdOutcome failed;
  failed.passed = false;
  failed.message = "e2e_latency.corrected.p99 < 1 us";
  result.runs[0].thresholds.push_back(failed);
  const std::string html = RenderReportHtml({ResultToJson(result)});
  const std::string overview = html.substr(html.find("id=\"table-overview\""));
  EXPECT_NE(overview.find("<td class=\"bad\">threshold_failed</td>"), std::string::npos) << overview;
  EXPECT_NE(html.find("id=\"table-workload\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-p99-over-time\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-backlog\""), std::string::npos);
}

TEST(ReportTest, PageIsSelfContainedWithEveryChart) {
  const std::string html = RenderReportHtml({ResultToJson(SmallResult())});
  for (const char* id :
       {"chart-throughput", "chart-spectrum-corrected", "chart-spectrum-uncorrected", "chart-bars-throughput",
        "chart-bars-e2e-p99", "table-overview", "table-accounting", "table-environment", "table-summary"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("99.999%"), std::string::npos);
  EXPECT_NE(html.find("end-to-end latency (log scale)"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("class=\"whisker\""), std::string::npos);
}

// Metrics without per-second intervals (not from RunWorkload): one interval per tag over the window.
TEST(ExportsTest, HlogWithoutPerSecondIntervalsHasOneIntervalPerTag) {
  const RunRecord run = SmallResult().runs[0];
  Result<std::vector<HlogInterval>> parsed = ParseHlog(RenderRunHlog(run));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 4u);
  std::map<std::string, uint64_t> counts;
  for (const HlogInterval& interval : *parsed) {
    EXPECT_DOUBLE_EQ(interval.start_s, 0);
    EXPECT_DOUBLE_EQ(interval.length_s, 1);
    counts[interval.tag] += interval.histogram.total_count();
  }
  EXPECT_EQ(counts["e2e_corrected"], run.metrics.e2e.corrected.total_count());
  EXPECT_EQ(counts["e2e_uncorrected"], run.metrics.e2e.uncorrected.total_count());
  EXPECT_EQ(counts.count("publish_corrected"), 1u);
  EXPECT_EQ(counts.count("publish_uncorrected"), 1u);
}

// A 3 s memory-driver run, written as result artifacts: its .hlog holds one corrected interval per
// second of the measured window, and together they hold exactly the run's corrected histograms.
TEST(ExportsTest, HlogHasOneIntervalPerSecondAddingUpToTheRun) {
  SystemSpec system;
  system.name = "mem";
  system.driver = "memory";
  ApplyDefaults(GetMemoryDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.warmup_ns = 500'000'000;  // not a whole second: the first interval starts mid-sample
  workload.duration_ns = 3'000'000'000;
  workload.drain_timeout_ns = 5'000'000'000;
  workload.rate.msgs_per_s = 5'000;
  workload.message_size.fixed_bytes = 64;
  SessionContext context;
  context.system = &system;
  context.workload = &workload;
  context.run_id = "hlog";
  Result<std::unique_ptr<Session>> session = GetMemoryDriver()->Connect(context);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  TopicLayout layout;
  layout.topics = {"t0"};
  layout.partitions = workload.partitions;
  ASSERT_TRUE((*session)->CreateTopics(layout).ok());
  RunnerOptions options;
  options.system_name = "mem";
  options.streams = workload.streams();
  const int64_t before_unix_ns = WallNowNs();
  Result<RunMetrics> metrics = RunWorkload(**session, workload, options);
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();

  ExperimentResult result;
  result.experiment.name = "hlog";
  RunRecord run;
  run.system = "mem";
  run.driver = "memory";
  run.started_unix_ns = before_unix_ns;
  run.has_metrics = true;
  run.metrics = std::move(metrics).value();
  result.runs.push_back(run);
  const std::string dir = testing::TempDir() + "/hlog-per-second";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteResultArtifacts(result, dir).ok());
  std::ifstream in(dir + "/" + HlogFileName(0, "mem"));
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  // BaseTime is the producers' start, a little after the run began.
  const size_t base = text.str().find("#[BaseTime: ");
  ASSERT_NE(base, std::string::npos);
  const double base_unix_s = std::stod(text.str().substr(base + 12));
  EXPECT_NEAR(base_unix_s, static_cast<double>(run.metrics.producers_start_unix_ns) / 1e9, 1e-3);
  EXPECT_GE(base_unix_s, static_cast<double>(before_unix_ns) / 1e9 - 1e-3);
  EXPECT_LT(base_unix_s, static_cast<double>(before_unix_ns) / 1e9 + 1.0);

  Result<std::vector<HlogInterval>> parsed = ParseHlog(text.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  struct TagTotals {
    size_t intervals = 0;
    uint64_t count = 0;
    double last_start_s = -1;
    double last_end_s = -1;
  };
  std::map<std::string, TagTotals> tags;
  for (const HlogInterval& interval : *parsed) {
    TagTotals& t = tags[interval.tag];
    EXPECT_GE(interval.start_s, 0.5) << interval.tag << ": nothing before the warm-up ends";
    EXPECT_GT(interval.length_s, 0.0) << interval.tag;
    if (t.intervals > 0) {
      EXPECT_GT(interval.start_s, t.last_start_s) << interval.tag << ": starts must increase";
      // Both printed to the millisecond: at most 1.5 ms of rounding between them.
      EXPECT_NEAR(interval.start_s, t.last_end_s, 0.0015) << interval.tag << ": each starts as the last ends";
    }
    t.last_start_s = interval.start_s;
    t.last_end_s = interval.start_s + interval.length_s;
    ++t.intervals;
    t.count += interval.histogram.total_count();
  }
  ASSERT_EQ((*parsed)[2].tag, "e2e_corrected");
  EXPECT_DOUBLE_EQ((*parsed)[2].start_s, 0.5) << "the first second starts when the warm-up ends";
  EXPECT_GT((*parsed)[2].histogram.total_count(), 0u);
  const RunMetrics& m = run.metrics;
  ASSERT_GT(m.e2e.corrected.total_count(), 10'000u);
  EXPECT_GE(tags["e2e_corrected"].intervals, 3u);
  EXPECT_GE(tags["publish_corrected"].intervals, 3u);
  EXPECT_NEAR(tags["e2e_corrected"].last_end_s,
              static_cast<double>(workload.warmup_ns + workload.duration_ns) / 1e9, 1.0)
      << "the intervals run to the end of the run";
  EXPECT_EQ(tags["e2e_corrected"].count, m.e2e.corrected.total_count());
  EXPECT_EQ(tags["publish_corrected"].count, m.publish.corrected.total_count());
  EXPECT_EQ(tags["e2e_uncorrected"].intervals, 1u);
  EXPECT_EQ(tags["e2e_uncorrected"].count, m.e2e.uncorrected.total_count());
  EXPECT_EQ(tags["publish_uncorrected"].count, m.publish.uncorrected.total_count());
  EXPECT_EQ(tags.size(), 4u);
}

}  // namespace
}  // namespace bakeoff
