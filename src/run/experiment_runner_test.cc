// Golden test of result.json's shape on the memory driver, through the same path `bakeoff run` uses.
#include "run/experiment_runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "results/result_json.h"
#include "run/registry_schemas.h"

namespace bakeoff {
namespace {

using nlohmann::json;

std::string SourceDir() {
  const char* dir = std::getenv("BAKEOFF_SOURCE_DIR");
  if (dir != nullptr) return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
}

// The shape of a JSON value: objects keep their keys with the shapes of their values, arrays the
// shape of their first element, scalars become their type name.
json Shape(const json& v) {
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = Shape(it.value());
    return out;
  }
  if (v.is_array()) return v.empty() ? json::array() : json::array({Shape(v[0])});
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  return "null";
}

constexpr const char* kExperiment = R"(
name: golden
description: result shape on the memory driver
systems:
  - name: mem-a
    driver: memory
  - name: mem-b
    driver: memory
    options:
      queue_depth: 1024
workload:
  partitions: 2
  producers: 1
  consumers: 1
  message_size: 100B
  rate: 2k/s
  warmup: 200ms
  duration: 1s
)";

TEST(ExperimentRunnerTest, ResultJsonShapeMatchesGolden) {
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(kExperiment, "golden.yaml", schemas);
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.front().ToString();
  const std::string out_dir = testing::TempDir() + "/golden-run";
  std::filesystem::remove_all(out_dir);
  ExperimentRunOptions options;
  options.output_dir = out_dir;
  options.bakeoff_version = "test";
  RunContext context;
  ExperimentOutcome outcome = RunExperiment(parsed.experiment, options, context);
  ASSERT_TRUE(outcome.write_status.ok()) << outcome.write_status.ToString();
  EXPECT_FALSE(outcome.any_run_failed);
  EXPECT_FALSE(outcome.result.partial);

  std::ifstream in(out_dir + "/result.json");
  ASSERT_TRUE(in.good());
  const json written = json::parse(in);
  EXPECT_EQ(written["schema_version"], kResultSchemaVersion);
  ASSERT_EQ(written["runs"].size(), 2u);
  for (const json& run : written["runs"]) {
    EXPECT_EQ(run["status"], "ok");
    const json& a = run["metrics"]["accounting"];
    EXPECT_EQ(a["lost"], 0);
    EXPECT_EQ(a["sent"], a["received"]);
    EXPECT_GT(a["sent"].get<int>(), 2000);
    EXPECT_GT(run["metrics"]["throughput"]["received_msgs_per_s"].get<double>(), 1500.0);
  }

  const std::string golden_path = SourceDir() + "/tests/data/golden/result_shape.json";
  if (std::getenv("BAKEOFF_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << Shape(written).dump(2) << "\n";
  }
  std::ifstream golden_in(golden_path);
  ASSERT_TRUE(golden_in.good()) << "missing " << golden_path << " (run with BAKEOFF_UPDATE_GOLDEN=1)";
  const json golden = json::parse(golden_in);
  EXPECT_EQ(Shape(written), golden) << "result.json changed shape; if intended, bump the schema version "
                                       "when a meaning changed and regenerate with BAKEOFF_UPDATE_GOLDEN=1";
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

// A real local server: the run records what the server process cost (CPU, memory, series).
TEST(ExperimentRunnerTest, LocalServerResourcesAreSampled) {
  constexpr const char* kRedis = R"(
name: resources
systems:
  - name: redis
    driver: redis-streams
    environment: local
workload:
  partitions: 2
  message_size: 100B
  rate: 5k/s
  warmup: 0s
  duration: 2s
)";
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(kRedis, "resources.yaml", schemas);
  ASSERT_TRUE(parsed.ok()) << parsed.diagnostics.front().ToString();
  ExperimentRunOptions options;
  options.bakeoff_version = "test";
  RunContext context;
  ExperimentOutcome outcome = RunExperiment(parsed.experiment, options, context);
  ASSERT_EQ(outcome.result.runs.size(), 1u);
  const RunRecord& run = outcome.result.runs[0];
  ASSERT_EQ(run.status, RunStatus::kOk) << run.error.ToString();
  ASSERT_EQ(run.resources.size(), 1u);
  const ProcessUsage& usage = run.resources[0];
  EXPECT_GT(usage.pid, 0);
  EXPECT_GT(usage.cpu_seconds, 0.0);
  EXPECT_GT(usage.max_rss_bytes, 1 << 20);
  EXPECT_GE(usage.series.size(), 2u);
  EXPECT_EQ(run.metrics.accounting.lost, 0u);
  const nlohmann::json j = ResultToJson(outcome.result);
  EXPECT_GT(j["runs"][0]["resources"][0]["cpu_seconds"].get<double>(), 0.0);
}

}  // namespace
}  // namespace bakeoff
