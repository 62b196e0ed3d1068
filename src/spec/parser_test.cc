#include "spec/parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include "spec/internal/suggest.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

using spec_test::TestSchemas;

constexpr const char* kFullExperiment = R"(name: quickstart
description: "Compare two systems"
systems:
  - name: fake-a
    driver: fake
    environment:
      provider: embedded
      brokers: 3
    options:
      endpoint: localhost:9092
      acks: "1"
      enabled: false
      batch: 500
      buffer: 4MiB
      linger: 20ms
      password: ${env:FAKE_PASSWORD}
      properties:
        compression.type: lz4
        retries: 5
  - name: mem
    driver: memory
    environment: embedded
workload:
  topics: 2
  partitions: 6
  producers: 4
  consumers: 3
  message_size: {distribution: uniform, min: 100B, max: 1KiB}
  keys: {distribution: zipf, count: 500, exponent: 1.1}
  rate: 20k/s
  payload: {kind: compressible, ratio: 0.3}
  warmup: 2s
  duration: 1m30s
  messages: 100000
  drain_timeout: 15s
output:
  dir: out/results
)";

std::string Describe(const ParseOutcome& outcome) {
  std::string text;
  for (const Diagnostic& d : outcome.diagnostics) text += d.ToString() + "\n";
  return text;
}

ParseOutcome Parse(const std::string& yaml) {
  return ParseExperiment(yaml, "test.yaml", TestSchemas());
}

TEST(ParserTest, FullFileParsesToTheExpectedModel) {
  ParseOutcome outcome = Parse(kFullExperiment);
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const Experiment& e = outcome.experiment;
  EXPECT_EQ(e.name, "quickstart");
  EXPECT_EQ(e.description, "Compare two systems");
  EXPECT_EQ(e.source_file, "test.yaml");
  ASSERT_EQ(e.systems.size(), 2u);

  const SystemSpec& fake = e.systems[0];
  EXPECT_EQ(fake.name, "fake-a");
  EXPECT_EQ(fake.driver, "fake");
  EXPECT_EQ(fake.location.line, 4);
  EXPECT_EQ(fake.location.column, 5);
  EXPECT_EQ(fake.environment.provider, "embedded");
  EXPECT_EQ(fake.environment.options.GetInt("brokers"), 3);
  EXPECT_FALSE(fake.environment.options.Has("provider"));
  EXPECT_EQ(fake.options.GetString("endpoint"), "localhost:9092");
  EXPECT_EQ(fake.options.GetString("acks"), "1");
  EXPECT_TRUE(fake.options.Has("enabled"));
  EXPECT_FALSE(fake.options.GetBool("enabled", true));
  EXPECT_EQ(fake.options.GetInt("batch"), 500);
  EXPECT_EQ(fake.options.GetInt("buffer"), 4 << 20);
  EXPECT_EQ(fake.options.GetDuration("linger"), std::chrono::milliseconds(20));
  EXPECT_EQ(fake.options.GetString("password"), "${env:FAKE_PASSWORD}");  // kept as the reference
  std::map<std::string, std::string> properties = {{"compression.type", "lz4"}, {"retries", "5"}};
  EXPECT_EQ(fake.options.GetStringMap("properties"), properties);
  EXPECT_DOUBLE_EQ(fake.options.GetDouble("ratio"), 0.25);  // default

  const SystemSpec& mem = e.systems[1];
  EXPECT_EQ(mem.name, "mem");
  EXPECT_EQ(mem.driver, "memory");
  EXPECT_EQ(mem.environment.provider, "embedded");
  EXPECT_EQ(mem.environment.options.GetInt("brokers"), 1);  // provider default

  const WorkloadSpec& w = e.workload;
  EXPECT_EQ(w.topics, 2);
  EXPECT_EQ(w.partitions, 6);
  EXPECT_EQ(w.streams(), 12);
  EXPECT_EQ(w.producers, 4);
  EXPECT_EQ(w.consumers, 3);
  EXPECT_EQ(w.message_size.distribution, MessageSizeSpec::Distribution::kUniform);
  EXPECT_EQ(w.message_size.min_bytes, 100);
  EXPECT_EQ(w.message_size.max_bytes, 1024);
  EXPECT_EQ(w.keys.distribution, KeySpec::Distribution::kZipf);
  EXPECT_EQ(w.keys.count, 500);
  EXPECT_DOUBLE_EQ(w.keys.zipf_exponent, 1.1);
  EXPECT_FALSE(w.rate.max);
  EXPECT_DOUBLE_EQ(w.rate.msgs_per_s, 20'000);
  EXPECT_EQ(w.payload.kind, PayloadSpec::Kind::kCompressible);
  EXPECT_DOUBLE_EQ(w.payload.compress_ratio, 0.3);
  EXPECT_EQ(w.warmup_ns, 2'000'000'000);
  EXPECT_EQ(w.duration_ns, 90'000'000'000);
  ASSERT_TRUE(w.messages.has_value());
  EXPECT_EQ(*w.messages, 100'000);
  EXPECT_EQ(w.drain_timeout_ns, 15'000'000'000);
  EXPECT_EQ(e.output.dir, "out/results");
}

TEST(ParserTest, DefaultsAreAppliedToAMinimalFile) {
  ParseOutcome outcome = Parse(
      "name: minimal\n"
      "systems:\n"
      "  - name: a\n"
      "    driver: fake\n"
      "    environment: local\n"
      "    options: {endpoint: host:1}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const Experiment& e = outcome.experiment;
  const WorkloadSpec defaults;
  EXPECT_EQ(e.workload.topics, defaults.topics);
  EXPECT_EQ(e.workload.partitions, defaults.partitions);
  EXPECT_EQ(e.workload.producers, defaults.producers);
  EXPECT_EQ(e.workload.consumers, defaults.consumers);
  EXPECT_EQ(e.workload.message_size.distribution, MessageSizeSpec::Distribution::kFixed);
  EXPECT_EQ(e.workload.message_size.fixed_bytes, defaults.message_size.fixed_bytes);
  EXPECT_EQ(e.workload.keys.distribution, KeySpec::Distribution::kNone);
  EXPECT_EQ(e.workload.rate.max, defaults.rate.max);
  EXPECT_DOUBLE_EQ(e.workload.rate.msgs_per_s, defaults.rate.msgs_per_s);
  EXPECT_EQ(e.workload.payload.kind, PayloadSpec::Kind::kRandom);
  EXPECT_EQ(e.workload.warmup_ns, defaults.warmup_ns);
  EXPECT_EQ(e.workload.duration_ns, defaults.duration_ns);
  EXPECT_FALSE(e.workload.messages.has_value());
  EXPECT_EQ(e.workload.drain_timeout_ns, defaults.drain_timeout_ns);
  EXPECT_EQ(e.output.dir, OutputSpec().dir);

  const OptionValues& options = e.systems[0].options;
  EXPECT_TRUE(options.GetBool("enabled"));
  EXPECT_EQ(options.GetInt("batch"), 10);
  EXPECT_EQ(options.GetString("acks"), "all");
  EXPECT_EQ(options.GetInt("buffer"), 1 << 20);
  EXPECT_EQ(options.GetDuration("linger"), std::chrono::milliseconds(5));
  EXPECT_FALSE(options.Has("password"));    // optional, no default
  EXPECT_FALSE(options.Has("properties"));  // optional, no default
  EXPECT_EQ(e.systems[0].environment.provider, "local");
}

TEST(ParserTest, EnvironmentDefaultsToExisting) {
  ParseOutcome outcome = Parse("name: x\nsystems: [{name: a, driver: memory}]\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.systems[0].environment.provider, "existing");
}

TEST(ParserTest, WorkloadVariants) {
  ParseOutcome outcome = Parse(
      "name: x\n"
      "systems: [{name: a, driver: memory}]\n"
      "workload:\n"
      "  message_size: {distribution: normal, mean: 1KiB, stddev: 100B}\n"
      "  keys: round-robin\n"
      "  rate: max\n"
      "  payload: {file: data/payload.bin}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  const WorkloadSpec& w = outcome.experiment.workload;
  EXPECT_EQ(w.message_size.distribution, MessageSizeSpec::Distribution::kNormal);
  EXPECT_EQ(w.message_size.mean_bytes, 1024);
  EXPECT_EQ(w.message_size.stddev_bytes, 100);
  EXPECT_EQ(w.message_size.min_bytes, 624);   // mean - 4 stddev
  EXPECT_EQ(w.message_size.max_bytes, 1424);  // mean + 4 stddev
  EXPECT_EQ(w.keys.distribution, KeySpec::Distribution::kRoundRobin);
  EXPECT_TRUE(w.rate.max);
  EXPECT_EQ(w.payload.kind, PayloadSpec::Kind::kFile);
  EXPECT_EQ(w.payload.file, "data/payload.bin");

  outcome =
      Parse("name: x\nsystems: [{name: a, driver: memory}]\nworkload: {message_size: 4KiB, rate: 500}\n");
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome.experiment.workload.message_size.fixed_bytes, 4096);
  EXPECT_DOUBLE_EQ(outcome.experiment.workload.rate.msgs_per_s, 500);
}

TEST(ParserTest, OptionRangesUseSchemaUnits) {
  // buffer min is 1024 bytes; linger max is 10 seconds; batch is 1..1000.
  ParseOutcome outcome = Parse(
      "name: x\n"
      "systems:\n"
      "  - name: a\n"
      "    driver: fake\n"
      "    options: {endpoint: h, buffer: 1000B, linger: 11s, batch: 1001}\n");
  ASSERT_EQ(outcome.diagnostics.size(), 3u) << Describe(outcome);
  EXPECT_EQ(outcome.diagnostics[0].field_path, "systems[0].options.buffer");
  EXPECT_NE(outcome.diagnostics[0].message.find("at least 1.0 KiB"), std::string::npos);
  EXPECT_EQ(outcome.diagnostics[1].field_path, "systems[0].options.linger");
  EXPECT_NE(outcome.diagnostics[1].message.find("at most 10.0 s"), std::string::npos);
  EXPECT_EQ(outcome.diagnostics[2].field_path, "systems[0].options.batch");
  EXPECT_NE(outcome.diagnostics[2].message.find("at most 1000"), std::string::npos);
  for (const Diagnostic& d : outcome.diagnostics) EXPECT_EQ(d.location.line, 5);
}

TEST(ParserTest, DiagnosticToString) {
  Diagnostic d{{"exp.yaml", 7, 5}, "workload.partitons", "unknown key", "did you mean `partitions`?"};
  EXPECT_EQ(d.ToString(), "exp.yaml:7:5: workload.partitons: unknown key (did you mean `partitions`?)");
  Diagnostic no_location{{"exp.yaml", 0, 0}, "", "cannot read", ""};
  EXPECT_EQ(no_location.ToString(), "exp.yaml: cannot read");
}

TEST(ParserTest, MissingFileGivesOneDiagnosticNamingIt) {
  ParseOutcome outcome = ParseExperimentFile("/nonexistent/dir/exp.yaml", TestSchemas());
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  EXPECT_EQ(outcome.diagnostics[0].location.file, "/nonexistent/dir/exp.yaml");
  EXPECT_NE(outcome.diagnostics[0].message.find("cannot read"), std::string::npos);
}

TEST(ParserTest, CyclicAliasIsReportedNotFollowed) {
  ParseOutcome outcome = Parse("name: x\nsystems: &loop [*loop]\n");
  EXPECT_FALSE(outcome.ok());
  outcome = Parse("name: x\nsystems:\n  - &s {name: a, driver: memory, options: *s}\n");
  EXPECT_FALSE(outcome.ok());
}

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  ParseOutcome outcome = Parse("name: x\nsystems: " + std::string(100'000, '['));
  ASSERT_EQ(outcome.diagnostics.size(), 1u) << Describe(outcome);
  EXPECT_NE(outcome.diagnostics[0].message.find("nested too deeply"), std::string::npos)
      << outcome.diagnostics[0].message;
}

TEST(SuggestTest, EditDistanceAndThreshold) {
  using spec_internal::ClosestMatch;
  using spec_internal::EditDistance;
  EXPECT_EQ(EditDistance("partitons", "partitions"), 1);
  EXPECT_EQ(EditDistance("kafak", "kafka"), 1);  // transposition
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("Kafka", "kafka"), 0);
  EXPECT_EQ(ClosestMatch("partitons", {"topics", "partitions", "producers"}), "partitions");
  EXPECT_EQ(ClosestMatch("xyz", {"topics", "partitions"}), "");
  EXPECT_EQ(ClosestMatch("redis", {"redis-streams", "kafka"}), "redis-streams");  // prefix
  EXPECT_EQ(ClosestMatch("2", {"0", "1", "all"}), "");  // replacing everything is no suggestion
  EXPECT_EQ(ClosestMatch("ab", {"xy"}), "");
}

}  // namespace
}  // namespace bakeoff
