// The results store, compare and the summary table, as library calls (the CLI tests reach them only
// through processes): significance verdicts, pairing of entries, the index's listing and filters, and
// the terminal table's cells.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "results/compare.h"
#include "results/costs.h"
#include "results/exports.h"
#include "results/index_store.h"
#include "results/report_html.h"
#include "results/result_json.h"
#include "results/summary_table.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;

std::vector<double> Around(double mean, double spread, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-spread, spread);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(mean + jitter(rng));
  return out;
}

TEST(CompareSamplesTest, ClearDifferenceOverRepeatsIsSignificantWithItsSign) {
  const Difference d = CompareSamples(Around(1000, 5, 5, 1), Around(1200, 5, 5, 2));
  EXPECT_TRUE(d.significant) << d.verdict;
  EXPECT_NEAR(d.delta_percent, 20.0, 1.5);
  EXPECT_LT(d.p_value, 0.05);
  const Difference down = CompareSamples(Around(1200, 5, 5, 3), Around(1000, 5, 5, 4));
  EXPECT_TRUE(down.significant);
  EXPECT_LT(down.delta_percent, -10);
}

TEST(CompareSamplesTest, NoiseIsNotSignificant) {
  const Difference d = CompareSamples(Around(1000, 100, 5, 5), Around(1010, 100, 5, 6));
  EXPECT_FALSE(d.significant) << d.verdict;
  EXPECT_NE(d.verdict.find("not significant"), std::string::npos);
}

TEST(CompareSamplesTest, OneRepeatOrNoDataIsNeverSignificant) {
  const Difference one = CompareSamples({1000}, {2000});
  EXPECT_FALSE(one.significant);
  EXPECT_EQ(one.verdict, "not significant (1 repeat)");
  EXPECT_DOUBLE_EQ(one.delta_percent, 100.0);
  const Difference none = CompareSamples({}, {2000});
  EXPECT_FALSE(none.significant);
  EXPECT_EQ(none.verdict, "no data");
  // A zero baseline has no relative delta.
  EXPECT_DOUBLE_EQ(CompareSamples({0, 0}, {5, 6}).delta_percent, 0.0);
}

TEST(CompareSamplesTest, TinyButConsistentDifferenceIsBelowResolution) {
  const Difference d = CompareSamples({1000, 1000.01, 999.99, 1000}, {1005, 1005.01, 1004.99, 1005});
  EXPECT_FALSE(d.significant);
  EXPECT_EQ(d.verdict, "not significant (difference below 1%)");
}

RunRecord MemoryRun(const std::string& system, uint64_t received, int repeat) {
  RunRecord run;
  run.system = system;
  run.driver = "memory";
  run.provider = "embedded";
  run.repeat_index = repeat;
  run.has_metrics = true;
  run.metrics.measured_ns = 1'000'000'000;
  run.metrics.measured_sent = received;
  run.metrics.measured_received = received;
  run.metrics.accounting.sent = received + 7;
  run.metrics.accounting.acked = received + 7;
  run.metrics.accounting.received = received + 5;
  run.metrics.accounting.lost = 2;
  for (int64_t v : {1000, 2000, 3000, 100000}) {
    run.metrics.e2e.corrected.Record(v * 2);
    run.metrics.e2e.uncorrected.Record(v);
    run.metrics.publish.corrected.Record(v);
    run.metrics.publish.uncorrected.Record(v);
  }
  return run;
}

ExperimentResult TwoSystemResult(const std::string& name, uint64_t a_received, uint64_t b_received,
                                 int64_t started_unix_ns) {
  ExperimentResult result;
  result.experiment.name = name;
  result.started_unix_ns = started_unix_ns;
  result.finished_unix_ns = started_unix_ns + 1'000'000'000;
  result.runs.push_back(MemoryRun("alpha", a_received, 0));
  result.runs.push_back(MemoryRun("beta", b_received, 0));
  return result;
}

TEST(RenderComparisonTest, PairsTheSameSystemAcrossInputsAndShowsTheDelta) {
  const std::vector<LabelledResult> inputs = {{"before", ResultToJson(TwoSystemResult("x", 1000, 5000, 1))},
                                              {"after", ResultToJson(TwoSystemResult("x", 1100, 4000, 2))}};
  const std::string table = RenderComparison(inputs);
  // alpha after vs alpha before (+10%), beta after vs beta before (-20%): not beta vs alpha.
  EXPECT_NE(table.find("after: alpha"), std::string::npos) << table;
  EXPECT_NE(table.find("+10.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("-20.0%"), std::string::npos) << table;
  EXPECT_EQ(table.find("+400.0%"), std::string::npos) << table;  // beta before vs alpha before
  EXPECT_NE(table.find("not significant (1 repeat)"), std::string::npos);
  EXPECT_EQ(table.find("before: beta (n=1)\nB = before"), std::string::npos) << table;
  // Direction per metric: more throughput is better, less is worse.
  EXPECT_NE(table.find("+10.0% better"), std::string::npos) << table;
  EXPECT_NE(table.find("-20.0% worse"), std::string::npos) << table;
  EXPECT_NE(table.find("advice:"), std::string::npos);
  EXPECT_NE(table.find("experiment files: the same"), std::string::npos) << table;
  // Zero on both sides (nothing duplicated): no row.
  EXPECT_EQ(table.find("accounting.duplicated"), std::string::npos) << table;
  for (size_t at = 0, next; at < table.size(); at = next + 1) {
    next = table.find('\n', at);
    if (next == std::string::npos) next = table.size();
    EXPECT_LE(next - at, 120u) << table.substr(at, next - at);
  }
}

ExperimentResult MatrixResult(double rate_scale) {
  ExperimentResult result;
  result.experiment.name = "m";
  int point = 0;
  for (const char* size : {"100B", "1KiB"}) {
    for (const char* system : {"redis", "jetstream"}) {
      RunRecord run = MemoryRun(system, static_cast<uint64_t>((point + 1) * 1000 * rate_scale), 0);
      run.matrix_point = {{"workload.message_size", size}};
      run.point_index = point;
      result.runs.push_back(run);
    }
    ++point;
  }
  return result;
}

// Issue 9: two systems x two matrix points per side; only like is compared with like.
TEST(RenderComparisonTest, MatrixResultsPairOnlyLikeWithLike) {
  ExperimentResult a = MatrixResult(1.0), b = MatrixResult(1.5);
  b.experiment.workload.duration_ns = 30'000'000'000;
  const std::string table = RenderComparison({{"a", ResultToJson(a)}, {"b", ResultToJson(b)}});
  for (const char* system : {"redis", "jetstream"}) {
    for (const char* size : {"100B", "1KiB"}) {
      const std::string label = std::string(": ") + system + " [workload.message_size=" + size + "]";
      EXPECT_NE(table.find("A = a" + label + " (n=1)\nB = b" + label + " (n=1)"), std::string::npos)
          << label << "\n"
          << table;
    }
  }
  // Four pairs, each +50%; nothing across systems or points.
  size_t pairs = 0;
  for (size_t at = table.find("\nA = "); at != std::string::npos; at = table.find("\nA = ", at + 1)) ++pairs;
  EXPECT_EQ(pairs, 4u) << table;
  EXPECT_NE(table.find("+50.0% better"), std::string::npos);
  EXPECT_EQ(table.find("+100.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("workload.duration_ns: 10000000000 -> 30000000000"), std::string::npos) << table;
}

TEST(RenderComparisonTest, ASystemOnlyOneSideHasIsNamedNotCompared) {
  ExperimentResult a = TwoSystemResult("x", 1000, 1000, 1);
  ExperimentResult b = TwoSystemResult("x", 1000, 1000, 2);
  b.runs[1].system = "gamma";
  const std::string table = RenderComparison({{"a", ResultToJson(a)}, {"b", ResultToJson(b)}});
  const size_t note = table.find("not compared");
  ASSERT_NE(note, std::string::npos) << table;
  EXPECT_NE(table.find("b: gamma", note), std::string::npos) << table;
  EXPECT_NE(table.find("a: beta", note), std::string::npos) << table;
  EXPECT_EQ(table.find("B = b: gamma"), std::string::npos) << table;
}

// A figure measured on a stand-in is labelled in the comparison too: `*` beside the entry and a footnote
// naming what it ran on, read from the stored result; a result without the field gets no label.
TEST(RenderComparisonTest, StandInsAreMarkedAndNamedInAFootnote) {
  ExperimentResult mock = TwoSystemResult("x", 1000, 5000, 1);
  mock.runs[0].environment_facts["stand_in"] = "librdkafka mock cluster (not Apache Kafka)";
  const std::string table = RenderComparison(
      {{"mock", ResultToJson(mock)}, {"real", ResultToJson(TwoSystemResult("x", 1100, 4000, 2))}});
  EXPECT_NE(table.find("A = mock: alpha * (n=1)"), std::string::npos) << table;
  EXPECT_NE(table.find("B = real: alpha (n=1)"), std::string::npos) << table;
  EXPECT_NE(table.find("A = mock: beta (n=1)"), std::string::npos) << table;
  EXPECT_NE(table.find("\n* stand-in: mock: alpha ran on librdkafka mock cluster (not Apache Kafka)\n"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("stand-in: real"), std::string::npos) << table;
  EXPECT_EQ(table.find("stand-in: mock: beta"), std::string::npos) << table;
  for (size_t at = 0, next; at < table.size(); at = next + 1) {
    next = table.find('\n', at);
    if (next == std::string::npos) next = table.size();
    EXPECT_LE(next - at, 120u) << table.substr(at, next - at);
  }
  const std::string plain = RenderComparison({{"a", ResultToJson(TwoSystemResult("x", 1, 2, 1))},
                                              {"b", ResultToJson(TwoSystemResult("x", 1, 2, 2))}});
  EXPECT_EQ(plain.find('*'), std::string::npos) << plain;
}

// A rebalance counted during a run reaches result.json's errors as phase `receive`, code `rebalance`, and
// the summary's error lines.
TEST(ResultErrorsTest, RebalanceIsAnErrorEntryWithItsOwnCode) {
  ExperimentResult result = TwoSystemResult("x", 1000, 5000, 1);
  result.runs[0].metrics.errors.AddEvent(ErrorPhase::kReceive, ClientEvent::kRebalance,
                                         "bakeoff-c0#consumer-1: revoked 4 partitions (eager)", 2);
  const nlohmann::json errors = ResultToJson(result)["runs"][0]["metrics"]["errors"];
  ASSERT_EQ(errors.size(), 1u) << errors.dump();
  EXPECT_EQ(errors[0]["phase"], "receive");
  EXPECT_EQ(errors[0]["code"], "rebalance");
  EXPECT_EQ(errors[0]["count"], 2);
  EXPECT_NE(RenderSummaryTable(result).find(
                "alpha: 2 x receive: rebalance: bakeoff-c0#consumer-1: revoked 4 partitions (eager)"),
            std::string::npos)
      << RenderSummaryTable(result);
}

TEST(RenderComparisonTest, OneSystemIsNothingToCompare) {
  ExperimentResult one;
  one.experiment.name = "solo";
  one.runs.push_back(MemoryRun("alpha", 1000, 0));
  const std::string text = RenderComparison({{"only", ResultToJson(one)}});
  EXPECT_EQ(text.rfind("nothing to compare", 0), 0u) << text;
}

class ResultIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("bakeoff-index-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Write(const std::string& id, const ExperimentResult& result) {
    const std::string dir = (root_ / id).string();
    EXPECT_TRUE(WriteResultFile(result, dir).ok());
    return dir;
  }
  fs::path root_;
};

TEST_F(ResultIndexTest, RebuildsFromDirectoriesAndFiltersByNameAndSystem) {
  Write("2026-01-01-a", TwoSystemResult("first", 1000, 3000, 1'700'000'000'000'000'000));
  Write("2026-01-02-b", TwoSystemResult("second", 2000, 4000, 1'800'000'000'000'000'000));
  std::vector<std::string> warnings;
  Result<ResultIndex> index = ResultIndex::Open(root_.string(), &warnings);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE(fs::exists(root_ / "index.sqlite"));

  Result<std::vector<IndexedResult>> all = index->List({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].id, "2026-01-02-b");  // by start time
  EXPECT_EQ((*all)[1].systems, "alpha,beta");
  EXPECT_EQ((*all)[1].runs, 2);
  EXPECT_EQ((*all)[1].lost, 4);                           // 2 per run
  EXPECT_DOUBLE_EQ((*all)[1].received_msgs_per_s, 3000);  // mean of 2000 and 4000

  Result<std::vector<IndexedResult>> named = index->List({.name = "first"});
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].id, "2026-01-01-a");
  Result<std::vector<IndexedResult>> none = index->List({.system = "gamma"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Result<std::vector<IndexedResult>> since = index->List({.since_unix_ns = 1'750'000'000'000'000'000});
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].name, "second");

  const std::string table = RenderIndexTable(*all);
  EXPECT_NE(table.find("2026-01-01-a"), std::string::npos) << table;
  EXPECT_NE(table.find("second"), std::string::npos) << table;
}

// Two systems whose p99 differ 1000x: `results list` shows each system's own figures (a range over its
// runs), never their average, and its status counts threshold failures and the not_sustained verdict.
TEST_F(ResultIndexTest, ListShowsPerSystemFiguresAndVerdicts) {
  ExperimentResult result = TwoSystemResult("mixed", 1000, 5000, 5);
  result.runs[1].metrics.e2e.corrected = Histogram();
  for (int i = 0; i < 10; ++i) result.runs[1].metrics.e2e.corrected.Record(200'000'000);  // 200 ms
  RunRecord slow_point = MemoryRun("alpha", 3000, 0);
  slow_point.status = RunStatus::kNotSustained;
  result.runs.push_back(slow_point);
  ThresholdOutcome failed;
  failed.passed = false;
  failed.message = "e2e_latency.corrected.p99 < 1 ms: 200 ms";
  result.runs[1].thresholds.push_back(failed);  // beta: status ok, but a threshold failed
  Write("mixed-1", result);
  Result<ResultIndex> index = ResultIndex::Open(root_.string());
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  Result<IndexedResult> row = index->Find("mixed-1");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_EQ(row->per_system.size(), 2u);
  EXPECT_EQ(row->per_system[0].system, "alpha");
  EXPECT_EQ(row->per_system[0].runs, 2);
  EXPECT_DOUBLE_EQ(row->per_system[0].min_received_msgs_per_s, 1000);
  EXPECT_DOUBLE_EQ(row->per_system[0].max_received_msgs_per_s, 3000);
  EXPECT_EQ(row->per_system[1].system, "beta");
  EXPECT_NEAR(row->per_system[1].max_e2e_p99_ns, 200e6, 200e6 * 0.01);
  EXPECT_LT(row->per_system[0].max_e2e_p99_ns, 1e6);
  EXPECT_EQ(row->verdicts, "1 threshold_failed, 1 not_sustained, 1 ok");
  EXPECT_EQ(row->failed_runs, 2);

  const std::string table = RenderIndexTable({*row});
  EXPECT_NE(table.find("1 threshold_failed, 1 not_sustained, 1 ok"), std::string::npos) << table;
  EXPECT_NE(table.find("  alpha"), std::string::npos) << table;
  EXPECT_NE(table.find("1 k .. 3 k"), std::string::npos) << table;  // alpha's own range
  EXPECT_NE(table.find("200 ms"), std::string::npos) << table;      // beta's p99, not averaged with alpha's
}

// `results list` labels a system that ran on a stand-in (from the stored result.json): `*` on its line
// and a footnote naming the stand-in; the real system beside it and an older result get no label.
TEST_F(ResultIndexTest, ListMarksStandInsWithAFootnote) {
  ExperimentResult result = TwoSystemResult("mocked", 1000, 5000, 5);
  result.runs[1].environment_facts["stand_in"] = "kinesalite (Kinesis API emulator)";
  Write("mocked-1", result);
  Write("plain-1", TwoSystemResult("plain", 1000, 5000, 6));
  Result<ResultIndex> index = ResultIndex::Open(root_.string());
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  Result<std::vector<IndexedResult>> rows = index->List({});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_EQ((*rows)[0].per_system.size(), 2u);
  EXPECT_EQ((*rows)[0].per_system[0].stand_in, "");
  EXPECT_EQ((*rows)[0].per_system[1].stand_in,
            "kinesalite (Kinesis API emulator)");  // read back from the index
  EXPECT_EQ((*rows)[1].per_system[1].stand_in, "");

  const std::string table = RenderIndexTable(*rows);
  EXPECT_NE(table.find("  beta *"), std::string::npos) << table;
  EXPECT_EQ(table.find("  alpha *"), std::string::npos) << table;
  EXPECT_NE(table.find("\n* stand-in: mocked-1: beta ran on kinesalite (Kinesis API emulator)\n"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("plain-1: beta ran on"), std::string::npos) << table;
  EXPECT_EQ(RenderIndexTable({(*rows)[1]}).find('*'), std::string::npos);
}

// An index written by an older bakeoff (without the per-system columns) is upgraded in place, silently.
TEST_F(ResultIndexTest, OlderIndexIsRebuiltWithTheNewColumns) {
  Write("old-1", TwoSystemResult("old", 1000, 2000, 5));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((root_ / "index.sqlite").string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE results (id TEXT PRIMARY KEY, name TEXT NOT NULL, started_unix_ns "
                           "INTEGER NOT NULL, systems TEXT NOT NULL, partial INTEGER NOT NULL, path TEXT NOT "
                           "NULL, runs INTEGER NOT NULL, failed_runs INTEGER NOT NULL, received_msgs_per_s "
                           "REAL NOT NULL, e2e_p99_ns REAL NOT NULL, lost INTEGER NOT NULL)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::vector<std::string> warnings;
  Result<ResultIndex> index = ResultIndex::Open(root_.string(), &warnings);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  Result<IndexedResult> row = index->Find("old-1");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->per_system.size(), 2u);
  EXPECT_EQ(row->verdicts, "2 ok");
}

TEST_F(ResultIndexTest, AddReindexesAndFindNamesAMissingId) {
  Result<ResultIndex> index = ResultIndex::Open(root_.string());
  ASSERT_TRUE(index.ok());
  const std::string dir = Write("run-1", TwoSystemResult("e", 1000, 1000, 5));
  ASSERT_TRUE(index->Add(dir).ok());
  Result<IndexedResult> found = index->Find("run-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_DOUBLE_EQ(found->received_msgs_per_s, 1000);
  // The same directory rewritten and added again replaces its row.
  Write("run-1", TwoSystemResult("e", 3000, 3000, 5));
  ASSERT_TRUE(index->Add(dir).ok());
  Result<std::vector<IndexedResult>> all = index->List({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_DOUBLE_EQ((*all)[0].received_msgs_per_s, 3000);
  Result<IndexedResult> missing = index->Find("run-2");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("run-2"), std::string::npos) << missing.status().ToString();
}

TEST_F(ResultIndexTest, RebuildSkipsAndNamesAnUnreadableResult) {
  Write("good", TwoSystemResult("g", 1000, 1000, 5));
  fs::create_directories(root_ / "bad");
  { std::ofstream(root_ / "bad" / "result.json") << "[1,2,3]"; }
  Result<ResultIndex> index = ResultIndex::Open(root_.string());
  ASSERT_TRUE(index.ok());
  std::vector<std::string> skipped;
  Result<int> count = index->Rebuild(&skipped);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("bad"), std::string::npos) << skipped[0];
}

TEST(SummaryTableTest, OneColumnPerRunWithCorrectedAndUncorrectedCells) {
  ExperimentResult result = TwoSystemResult("t", 1234, 5678, 1);
  result.runs[1].status = RunStatus::kNotSustained;
  const std::string table = RenderSummaryTable(result);
  const std::string header = table.substr(0, table.find('\n'));
  EXPECT_NE(header.find("alpha"), std::string::npos);
  EXPECT_LT(header.find("alpha"), header.find("beta"));
  EXPECT_NE(table.find("not_sustained"), std::string::npos) << table;
  // e2e max: corrected 200 us beside uncorrected 100 us.
  const size_t max_row = table.find("e2e max");
  ASSERT_NE(max_row, std::string::npos) << table;
  const std::string row = table.substr(max_row, table.find('\n', max_row) - max_row);
  EXPECT_NE(row.find("(100"), std::string::npos) << row;
  EXPECT_NE(row.find("200"), std::string::npos) << row;
  // Accounting rows carry the run's own counts.
  EXPECT_NE(table.find("1241"), std::string::npos) << table;  // alpha sent = 1234 + 7
  EXPECT_NE(table.find("5683"), std::string::npos) << table;  // beta received = 5678 + 5
}

// Out-of-order deliveries are counted either way; where the driver as configured promises no order the
// cell says so, and result.json records what was promised.
TEST(SummaryTableTest, OutOfOrderIsInformationWhereNoOrderIsPromised) {
  ExperimentResult result = TwoSystemResult("t", 1000, 1000, 1);
  for (RunRecord& run : result.runs) run.metrics.accounting.out_of_order = 3;
  result.runs[0].promises = RunRecord::Promises{.ordered_per_stream = true};
  result.runs[1].promises = RunRecord::Promises{.ordered_per_stream = false};
  const std::string table = RenderSummaryTable(result);
  const size_t at = table.find("\nout of order");
  ASSERT_NE(at, std::string::npos) << table;
  const std::string row = table.substr(at + 1, table.find('\n', at + 1) - at - 1);
  ASSERT_NE(row.find("3 (no order promised)"), std::string::npos) << row;
  EXPECT_EQ(row.find("(no order promised)"), row.rfind("(no order promised)")) << row;  // beta's only
  const nlohmann::json j = ResultToJson(result);
  EXPECT_TRUE(j["runs"][0]["capabilities"]["ordered_per_stream"].get<bool>());
  EXPECT_FALSE(j["runs"][1]["capabilities"]["ordered_per_stream"].get<bool>());
}

TEST(SummaryTableTest, ARunWithoutMetricsShowsDashesAndItsError) {
  ExperimentResult result = TwoSystemResult("t", 1000, 1000, 1);
  result.runs[1].has_metrics = false;
  result.runs[1].status = RunStatus::kFailed;
  result.runs[1].error = RunError{"connect", StatusCode::kUnavailable, "connection refused to 127.0.0.1:1"};
  const std::string table = RenderSummaryTable(result);
  EXPECT_NE(table.find("beta: connect"), std::string::npos) << table;
  EXPECT_NE(table.find("connection refused to 127.0.0.1:1"), std::string::npos);
  const size_t sent_row = table.find("\nsent ");
  ASSERT_NE(sent_row, std::string::npos);
  const std::string row = table.substr(sent_row + 1, table.find('\n', sent_row + 1) - sent_row - 1);
  EXPECT_EQ(row.back(), '-') << row;
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

// Issue 9, point 4: what a run cost, beside how fast it was.
TEST(CostsTest, ServerAndClientCostsAndTheirRatios) {
  ExperimentResult result = TwoSystemResult("c", 1000, 1000, 1);
  RunRecord& run = result.runs[0];
  run.metrics.accounting.sent = 2'000'000;
  run.load_wall_s = 10;
  run.client_cpu_seconds = 4;
  run.resources.push_back(ProcessUsage{.name = "redis-server",
                                       .pid = 1,
                                       .vanished = false,
                                       .cpu_seconds = 5,
                                       .max_rss_bytes = 64 << 20,
                                       .bytes_written = 300'000'000,
                                       .series = {}});
  run.resources.push_back(ProcessUsage{.name = "sidecar",
                                       .pid = 2,
                                       .vanished = false,
                                       .cpu_seconds = 3,
                                       .max_rss_bytes = 16 << 20,
                                       .bytes_written = 100'000'000,
                                       .series = {}});
  const RunCosts c = ComputeCosts(run);
  EXPECT_TRUE(c.has_server);
  EXPECT_DOUBLE_EQ(c.server_cpu_seconds, 8);
  EXPECT_DOUBLE_EQ(c.server_cores, 0.8);
  EXPECT_EQ(c.server_peak_rss_bytes, 80 << 20);
  EXPECT_EQ(c.server_bytes_written, 400'000'000);
  ASSERT_TRUE(c.msgs_per_server_cpu_s.has_value());
  EXPECT_DOUBLE_EQ(*c.msgs_per_server_cpu_s, 250'000);
  ASSERT_TRUE(c.mb_written_per_million_msgs.has_value());
  EXPECT_DOUBLE_EQ(*c.mb_written_per_million_msgs, 200);  // 400 MB over 2 M messages
  EXPECT_DOUBLE_EQ(c.client_cores, 0.4);
  // No server sampled (embedded, existing): no server ratios, the client's still.
  const RunCosts none = ComputeCosts(result.runs[1]);
  EXPECT_FALSE(none.has_server);
  EXPECT_FALSE(none.msgs_per_server_cpu_s.has_value());

  const std::string table = RenderSummaryTable(result);
  const size_t row = table.find("msg per server CPU-s");
  ASSERT_NE(row, std::string::npos) << table;
  EXPECT_NE(table.substr(row, table.find('\n', row) - row).find("250"), std::string::npos) << table;
  EXPECT_NE(table.find("0.80 (8.0 s)"), std::string::npos) << table;
  const nlohmann::json j = ResultToJson(result);
  EXPECT_DOUBLE_EQ(j["runs"][0]["costs"]["mb_written_per_million_msgs"].get<double>(), 200);
  EXPECT_FALSE(j["runs"][1]["costs"].contains("server_cores"));
  const std::string csv = RenderCsv(j);
  EXPECT_NE(csv.substr(0, csv.find('\n')).find(",msgs_per_server_cpu_s,"), std::string::npos);
  EXPECT_NE(csv.find(",250000,200,"), std::string::npos) << csv;
  const std::string html = RenderReportHtml({j});
  EXPECT_NE(html.find("id=\"table-costs\""), std::string::npos);
}

}  // namespace
}  // namespace bakeoff
