// Durability as the run's facts say it (issue 9, point 2), through the real binary: the example with
// 3 mock brokers and acks all records replication factor 3 read back from the cluster and is labelled a
// stand-in; a local redis with AOF off says off, with `appendonly yes` says on; the table shows the
// delivery guarantee row.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

class DurabilityCliTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(testing::TempDir()) / ("durability-" + std::to_string(getpid())))
               .lexically_normal()
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static nlohmann::json Load(const std::string& dir) {
    std::ifstream in(dir + "/result.json");
    return nlohmann::json::parse(in);
  }
  std::string dir_;
};

TEST_F(DurabilityCliTest, ThreeBrokerExampleReadsReplicationFactorThreeBack) {
  const std::string out = dir_ + "/kafka";
  Outcome o =
      Child({"run", SourceDir() + "/examples/kafka-vs-kinesis.yaml", "--system", "kafka", "-o", out, "--set",
             "workload.warmup=0s", "--set", "workload.duration=1s", "--set", "workload.drain_timeout=10s"})
          .Wait();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json run = Load(out)["runs"][0];
  EXPECT_EQ(run["driver_facts"]["topic.replication_factor"], "3");
  EXPECT_EQ(run["driver_facts"]["topic.in_sync_replicas"], "3");
  EXPECT_EQ(run["driver_facts"]["producer.acks"], "all");
  EXPECT_EQ(run["driver_facts"]["delivery_guarantee"],
            "at-least-once, acked by all in-sync replicas (replication factor 3)");
  EXPECT_EQ(run["environment_facts"]["stand_in"], "librdkafka mock cluster (not Apache Kafka)");
  EXPECT_NE(o.out.find("delivery guarantee"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("librdkafka mock cluster (not Apache Kafka)"), std::string::npos) << o.out;
  std::ifstream report(out + "/report.html");
  const std::string html((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("(stand-in: librdkafka mock cluster (not Apache Kafka))"), std::string::npos);
}

TEST_F(DurabilityCliTest, RedisPersistenceIsReadFromTheServer) {
  const std::string spec = dir_ + "/redis.yaml";
  std::ofstream(spec) << "name: redis-aof\nsystems:\n"
                         "  - name: aof-off\n    driver: redis-streams\n    environment: local\n"
                         "  - name: aof-on\n    driver: redis-streams\n    environment:\n"
                         "      provider: local\n      config: {appendonly: \"yes\", appendfsync: everysec}\n"
                         "workload:\n  rate: 2k/s\n  warmup: 0s\n  duration: 500ms\n";
  const std::string out = dir_ + "/redis";
  Outcome o = Child({"run", spec, "-o", out}).Wait();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json result = Load(out);
  ASSERT_EQ(result["runs"].size(), 2u);
  EXPECT_EQ(result["runs"][0]["driver_facts"]["server_appendonly"], "no");
  EXPECT_NE(result["runs"][0]["driver_facts"]["delivery_guarantee"].get<std::string>().find("AOF off"),
            std::string::npos);
  EXPECT_EQ(result["runs"][1]["driver_facts"]["server_appendonly"], "yes");
  EXPECT_EQ(result["runs"][1]["driver_facts"]["server_appendfsync"], "everysec");
  EXPECT_NE(result["runs"][1]["driver_facts"]["delivery_guarantee"].get<std::string>().find("fsync everysec"),
            std::string::npos);
  EXPECT_NE(o.out.find("AOF off"), std::string::npos) << o.out;
}

}  // namespace
