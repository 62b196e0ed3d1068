// Results features through the real binary: thresholds and their exit code, matrix and repeats with
// exports and the report, compare, result stores.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

constexpr const char* kThresholdRun = R"(name: cli-thresholds
systems:
  - name: mem
    driver: memory
workload:
  partitions: 2
  message_size: 64B
  rate: 5k/s
  warmup: 100ms
  duration: 1s
thresholds:
  all:
    accounting.lost: "== 0"
    throughput.received_msgs_per_s: "> 1M"
  mem:
    e2e_latency.corrected.p99: "< 10s"
)";

TEST(ResultsCliTest, FailingThresholdExitsFourAndSaysByHowMuch) {
  const std::string path = WriteFile("thresholds.yaml", kThresholdRun);
  const std::string out = testing::TempDir() + "/cli-thresholds-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out, "--quiet"});
  EXPECT_EQ(o.exit_code, 4) << o.out << o.err;
  EXPECT_NE(o.out.find("\u2713 accounting.lost == 0: 0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\u2717 throughput.received_msgs_per_s > 1M:"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("short of the limit"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("thresholds: 2 passed, 1 failed"), std::string::npos) << o.out;
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in.good());
  const auto result = nlohmann::json::parse(in);
  const auto& thresholds = result["runs"][0]["thresholds"];
  ASSERT_EQ(thresholds.size(), 3u);
  EXPECT_EQ(thresholds[1]["metric"], "throughput.received_msgs_per_s");
  EXPECT_EQ(thresholds[1]["passed"], false);
  EXPECT_GT(thresholds[1]["actual"].get<double>(), 1000.0);
  EXPECT_EQ(thresholds[2]["passed"], true);
}

TEST(ResultsCliTest, UnknownThresholdMetricIsAValidationError) {
  std::string text = kThresholdRun;
  text.replace(text.find("accounting.lost"), 15, "accounting.lozt");
  const std::string path = WriteFile("bad-threshold.yaml", text);
  Outcome o = RunBakeoff({"run", path, "--quiet"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("bad-threshold.yaml:13:5:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("did you mean `accounting.lost`?"), std::string::npos) << o.err;
}

}  // namespace
