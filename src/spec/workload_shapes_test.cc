// Parsing of the workload shapes: rate steps, ramps, find_max, backlog, producers_per_topic, payload
// pools and payload files checked against the message size. Every wrong input names its line.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "spec/parser.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

std::string Describe(const ParseOutcome& outcome) {
  std::string text;
  for (const Diagnostic& d : outcome.diagnostics) text += d.ToString() + "\n";
  return text;
}

ParseOutcome ParseWorkloadText(const std::string& workload) {
  return ParseExperiment("name: x\nsystems: [{name: a, driver: memory}]\nworkload:\n" + workload, "test.yaml",
                         spec_test::TestSchemas());
}

// The one diagnostic of `outcome`, which must be at `line` and mention `text`.
void ExpectOneError(const ParseOutcome& outcome, int line, const std::string& text) {
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].location.line, line) << Describe(outcome);
  EXPECT_NE(outcome.diagnostics[0].message.find(text), std::string::npos) << Describe(outcome);
}

// One of the diagnostics (a misspelt key also leaves a required one missing).
void ExpectFirstError(const ParseOutcome& outcome, int line, const std::string& text) {
  bool found = false;
  for (const Diagnostic& d : outcome.diagnostics)
    found = found || (d.location.line == line && d.message.find(text) != std::string::npos);
  EXPECT_TRUE(found) << Describe(outcome);
}

TEST(WorkloadShapesTest, StepsSetTheDurationAndTheFirstRate) {
  ParseOutcome outcome = ParseWorkloadText(
      "  warmup: 5s\n"
      "  rate: [{rate: 10k/s, for: 30s}, {rate: 50k/s, for: 1m}]\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const WorkloadSpec& w = outcome.experiment.workload;
  ASSERT_EQ(w.rate.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(w.rate.steps[0].msgs_per_s, 10'000);
  EXPECT_EQ(w.rate.steps[1].duration_ns, 60'000'000'000);
  EXPECT_EQ(w.duration_ns, 90'000'000'000);
  EXPECT_DOUBLE_EQ(w.rate.msgs_per_s, 10'000);
  EXPECT_FALSE(w.rate.fixed());
  EXPECT_EQ(w.MaxLoadNs(), 95'000'000'000);
}

TEST(WorkloadShapesTest, StepErrorsNameTheirLine) {
  ExpectFirstError(
      ParseWorkloadText("  rate:\n    - {rate: 10k/s, for: 30s}\n    - {rate: 5k/s, fro: 30s}\n"), 6,
      "unknown key `fro`");
  ExpectOneError(ParseWorkloadText("  rate: []\n"), 4, "empty");
  ExpectOneError(ParseWorkloadText("  duration: 1m\n  rate: [{rate: 10k/s, for: 30s}]\n"), 4,
                 "remove `duration`");
  ExpectOneError(ParseWorkloadText("  rate: [{rate: fast, for: 30s}]\n"), 4, "rate");
}

TEST(WorkloadShapesTest, Ramp) {
  ParseOutcome outcome = ParseWorkloadText("  rate: {ramp: {from: 1k/s, to: 50k/s, over: 60s}}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const WorkloadSpec& w = outcome.experiment.workload;
  ASSERT_TRUE(w.rate.ramp.has_value());
  EXPECT_DOUBLE_EQ(w.rate.ramp->from_msgs_per_s, 1'000);
  EXPECT_DOUBLE_EQ(w.rate.ramp->to_msgs_per_s, 50'000);
  EXPECT_EQ(w.duration_ns, 60'000'000'000);
  ExpectOneError(ParseWorkloadText("  rate: {ramp: {from: 1k/s, to: 50k/s}}\n"), 4, "missing");
  ExpectOneError(ParseWorkloadText("  rate: {rmap: {from: 1k/s, to: 50k/s, over: 1m}}\n"), 4,
                 "unknown key `rmap`");
}

TEST(WorkloadShapesTest, FindMax) {
  ParseOutcome outcome = ParseWorkloadText(
      "  rate: {find_max: {p99_e2e: \"< 50ms\", start: 10k/s, step_duration: 10s, within: 5%}}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const WorkloadSpec& w = outcome.experiment.workload;
  ASSERT_TRUE(w.rate.find_max.has_value());
  const FindMaxSpec& f = *w.rate.find_max;
  EXPECT_EQ(f.p99_e2e_bound_ns, 50'000'000);
  EXPECT_DOUBLE_EQ(f.start_msgs_per_s, 10'000);
  EXPECT_EQ(f.step_duration_ns, 10'000'000'000);
  EXPECT_DOUBLE_EQ(f.within, 0.05);
  EXPECT_EQ(f.objective_text, "e2e_latency.corrected.p99 < 50ms");
  // Bounded: 16 steps of 10 s, each with up to 20 s of settling.
  EXPECT_EQ(w.MaxLoadNs(), 16 * 30'000'000'000LL);
  ExpectOneError(ParseWorkloadText("  rate: {find_max: {p99_e2e: \"> 50ms\", start: 10k/s}}\n"), 4,
                 "upper bound");
  ExpectOneError(ParseWorkloadText("  rate: {find_max: {p99_e2e: \"< 50ms\", start: 10k/s, within: 150%}}\n"),
                 4, "fraction");
  ExpectFirstError(ParseWorkloadText("  rate:\n    find_max:\n      p99_e2e: \"< 5ms\"\n      strat: 1k/s\n"),
                   7, "unknown key `strat`");
  ExpectOneError(
      ParseWorkloadText("  duration: 1m\n  rate: {find_max: {p99_e2e: \"< 50ms\", start: 10k/s}}\n"), 4,
      "takes no `duration`");
}

TEST(WorkloadShapesTest, Backlog) {
  ParseOutcome outcome = ParseWorkloadText(
      "  rate: 50k/s\n"
      "  backlog: {messages: 200k, drain_ratio: 0.9}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const WorkloadSpec& w = outcome.experiment.workload;
  ASSERT_TRUE(w.backlog.has_value());
  EXPECT_EQ(w.backlog->messages, 200'000);
  EXPECT_DOUBLE_EQ(w.backlog->drain_ratio, 0.9);
  outcome = ParseWorkloadText("  message_size: 1KiB\n  backlog: {size: 1GiB}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.backlog->messages, 1024 * 1024);
  EXPECT_EQ(outcome.experiment.workload.backlog->bytes, int64_t{1} << 30);
  ExpectOneError(ParseWorkloadText("  backlog: {messages: 1k, size: 1GiB}\n"), 4, "not both");
  ExpectOneError(ParseWorkloadText("  rate: max\n  backlog: {messages: 1k}\n"), 5, "fixed rate");
  ExpectFirstError(ParseWorkloadText("  backlog: {mesages: 1k}\n"), 4, "unknown key `mesages`");
}

TEST(WorkloadShapesTest, ProducersPerTopic) {
  ParseOutcome outcome = ParseWorkloadText("  topics: 100\n  producers_per_topic: 2\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.producers, 200);
  EXPECT_EQ(outcome.experiment.workload.producers_per_topic, 2);
  ExpectOneError(ParseWorkloadText("  producers: 4\n  producers_per_topic: 2\n"), 5, "not both");
  ExpectOneError(ParseWorkloadText("  topics: 1000\n  producers_per_topic: 2\n"), 5, "more than the 1024");
}

TEST(WorkloadShapesTest, PayloadPool) {
  ParseOutcome outcome = ParseWorkloadText("  payload: {pool: 1000, random_bytes_ratio: 0.5}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const PayloadSpec& p = outcome.experiment.workload.payload;
  EXPECT_EQ(p.kind, PayloadSpec::Kind::kPool);
  EXPECT_EQ(p.pool.count, 1000);
  EXPECT_DOUBLE_EQ(p.pool.random_bytes_ratio, 0.5);
  ExpectOneError(ParseWorkloadText("  payload: {pool: 10, file: x.bin}\n"), 4, "does not go with `pool`");
  ExpectOneError(ParseWorkloadText("  payload: {kind: random, random_bytes_ratio: 0.5}\n"), 4,
                 "only to a `pool`");
}

TEST(WorkloadShapesTest, PayloadFileShorterThanTheMessageIsAnError) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "bakeoff-shapes-test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "small.bin") << std::string(500, 'x'); }
  const std::string base =
      "name: x\nsystems: [{name: a, driver: memory}]\nworkload:\n  payload: {file: small.bin}\n";
  {
    std::ofstream(dir / "bad.yaml") << base << "  message_size: 1KiB\n";
    std::ofstream(dir / "good.yaml") << base << "  message_size: 500B\n";
  }
  ParseOutcome bad = ParseExperimentFile((dir / "bad.yaml").string(), spec_test::TestSchemas());
  ExpectOneError(bad, 4, "shorter than the 1024-byte messages");
  ParseOutcome good = ParseExperimentFile((dir / "good.yaml").string(), spec_test::TestSchemas());
  EXPECT_TRUE(good.ok()) << Describe(good);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bakeoff
