// `bakeoff import omb` and `bakeoff run --omb` as users run them, with bakeoff's own OMB-format files
// (tests/data/omb/). The run tests start real servers through the local provider (Kafka also on the
// embedded mock cluster), scaled down with --duration-scale, and check result.json and omb-result.json.
// Their workload maps to features every build has (one subscription, a fixed rate, no backlog).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using bakeoff_test::RunBakeoff;
using bakeoff_test::Slurp;
using nlohmann::json;

std::string Data(const std::string& name) {
  return bakeoff_test::SourceDir() + "/tests/data/omb/" + name;
}

std::string FreshDir(const std::string& name) {
  const std::string dir = testing::TempDir() + "/omb_cli_" + std::to_string(getpid()) + "_" + name;
  fs::remove_all(dir);
  return dir;
}

TEST(OmbCliTest, ImportWritesAFileThatValidateAccepts) {
  const std::string dir = FreshDir("import");
  fs::create_directories(dir);
  const std::string out = dir + "/kafka-smoke.yaml";
  const auto imported =
      RunBakeoff({"import", "omb", Data("workload-every-key.yaml"), "--omb-driver", Data("kafka.yaml"),
                  "--environment", "embedded", "--duration-scale", "0.05", "-o", out});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const std::string text = Slurp(out);
  EXPECT_NE(text.find("# OMB partitionsPerTopic: 4 (workload-every-key.yaml:6)"), std::string::npos) << text;
  // Written beside the output, the payload file is named relative to it.
  EXPECT_NE(text.find("payload: {file: \""), std::string::npos) << text;
  EXPECT_EQ(text.find("payload: {file: \"/"), std::string::npos) << text;
  const auto validated = RunBakeoff({"validate", out});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_NE(validated.out.find(": ok (1 system, 1 run"), std::string::npos) << validated.out;

  // Without -o the text goes to stdout.
  const auto printed =
      RunBakeoff({"import", "omb", Data("workload-every-key.yaml"), "--omb-driver", Data("redis.yaml")});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_NE(printed.out.find("url: \"redis://127.0.0.1:6379\""), std::string::npos) << printed.out;
}

TEST(OmbCliTest, MisspeltKeyAndPulsarDriverExitWithTwoAndNameTheLine) {
  const auto typo = RunBakeoff({"run", "--omb", Data("workload-misspelled.yaml"), "--omb-driver",
                                Data("kafka.yaml"), "--environment", "embedded"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("workload-misspelled.yaml:4:1"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean `partitionsPerTopic`?"), std::string::npos) << typo.err;

  const auto pulsar =
      RunBakeoff({"run", "--omb", Data("workload-every-key.yaml"), "--omb-driver", Data("pulsar.yaml")});
  EXPECT_EQ(pulsar.exit_code, 2);
  EXPECT_NE(pulsar.err.find("pulsar.yaml:3:"), std::string::npos) << pulsar.err;
  EXPECT_NE(pulsar.err.find("the OMB driver `pulsar`"), std::string::npos) << pulsar.err;

  const auto stray =
      RunBakeoff({"run", bakeoff_test::SourceDir() + "/examples/memory-max.yaml", "--environment", "local"});
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_NE(stray.err.find("--environment applies only with --omb"), std::string::npos) << stray.err;

  const auto no_driver = RunBakeoff({"run", "--omb", Data("workload-every-key.yaml")});
  EXPECT_EQ(no_driver.exit_code, 2);
  EXPECT_NE(no_driver.err.find("--omb-driver"), std::string::npos) << no_driver.err;
}

// Runs the every-key workload scaled to a 3 s warm-up and a 3 s test at half its rate (1000 msg/s)
// and checks both result files.
void RunScaledDown(const std::string& driver_file, const std::string& environment,
                   const std::string& driver) {
  const std::string out = FreshDir(driver + "_" + environment);
  const auto run =
      RunBakeoff({"run", "--omb", Data("workload-every-key.yaml"), "--omb-driver", Data(driver_file),
                  "--environment", environment, "--duration-scale", "0.05", "--rate-scale", "0.5", "--quiet",
                  "--output", out, "--results-dir", out + "-index"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const json result = json::parse(Slurp(out + "/result.json"));
  const json& experiment = result["experiment"];
  EXPECT_NE(experiment["description"].get<std::string>().find("--duration-scale 0.05 --rate-scale 0.5"),
            std::string::npos);
  EXPECT_EQ(experiment["workload"]["duration_ns"], 3'000'000'000LL);
  ASSERT_EQ(result["runs"].size(), 1u);
  const json& r = result["runs"][0];
  EXPECT_EQ(r["driver"], driver);
  EXPECT_EQ(r["provider"], environment);
  EXPECT_EQ(r["status"], "ok") << r.dump(1).substr(0, 2000);
  const json& m = r["metrics"];
  const json& a = m["accounting"];
  EXPECT_GT(a["sent"].get<int64_t>(), 4000);  // 1000/s over 3 s warm-up + 3 s
  EXPECT_EQ(a["received"], a["sent"]);
  EXPECT_EQ(a["lost"], 0);
  EXPECT_EQ(a["duplicated"], 0);
  EXPECT_EQ(a["out_of_order"], 0);
  EXPECT_NEAR(m["throughput"]["sent_msgs_per_s"].get<double>(), 1000.0, 100.0);

  const json omb = json::parse(Slurp(out + "/omb-result.json"));
  EXPECT_EQ(omb["workload"], experiment["name"]);
  EXPECT_EQ(omb["driver"], r["system"]);
  EXPECT_EQ(omb["messageSize"], 256);
  EXPECT_EQ(omb["partitions"], 4);
  EXPECT_EQ(omb["producersPerTopic"], 2);
  // OMB's names hold the uncorrected figures, in ms (publish delay in us).
  const json& pub = m["publish_latency_ns"];
  const json& e2e = m["e2e_latency_ns"];
  auto near_ns = [](double ms, const json& ns) {
    const double expected = ns.get<double>();
    return std::fabs(ms * 1e6 - expected) <= std::max(1.0, expected * 1e-9);
  };
  EXPECT_TRUE(near_ns(omb["aggregatedPublishLatency99pct"], pub["uncorrected"]["p99"]))
      << omb["aggregatedPublishLatency99pct"];
  EXPECT_TRUE(near_ns(omb["aggregatedPublishLatency50pct"], pub["uncorrected"]["p50"]));
  EXPECT_TRUE(near_ns(omb["aggregatedPublishLatencyMax"], pub["uncorrected"]["max"]));
  EXPECT_TRUE(near_ns(omb["aggregatedEndToEndLatency99pct"], e2e["uncorrected"]["p99"]));
  EXPECT_TRUE(near_ns(omb["aggregatedEndToEndLatency9999pct"], e2e["uncorrected"]["p99_99"]));
  EXPECT_TRUE(near_ns(omb["bakeoffCorrected"]["aggregatedEndToEndLatency99pct"], e2e["corrected"]["p99"]));
  EXPECT_GT(omb["aggregatedEndToEndLatency50pct"].get<double>(), 0.0);
  EXPECT_LT(omb["aggregatedEndToEndLatency50pct"].get<double>(), 5000.0);  // ms: plausible on this machine
  EXPECT_NE(omb["bakeoff"]["note"].get<std::string>().find("result.json"), std::string::npos);
  // Per-second lists, one entry per second of the measured window and drain, all the same length.
  const size_t periods = omb["publishRate"].size();
  EXPECT_GE(periods, 3u);
  for (const char* list :
       {"consumeRate", "backlog", "publishErrorRate", "publishLatency99pct", "publishLatencyAvg",
        "endToEndLatency95pct", "endToEndLatencyAvg", "publishDelayLatency99pct"}) {
    EXPECT_EQ(omb[list].size(), periods) << list;
  }
  double published = 0;
  for (size_t i = 0; i + 1 < periods; ++i) published += omb["publishRate"][i].get<double>();
  EXPECT_NEAR(published / static_cast<double>(periods - 1), 1000.0, 250.0) << omb["publishRate"].dump();
  EXPECT_FALSE(omb["aggregatedEndToEndLatencyQuantiles"].empty());
}

TEST(OmbCliRunTest, KafkaEmbedded) {
  RunScaledDown("kafka.yaml", "embedded", "kafka");
}
TEST(OmbCliRunTest, KafkaLocal) {
  if (!fs::exists(bakeoff_test::SourceDir() + "/tools/kafka/lib"))
    GTEST_SKIP() << "Kafka jars missing: scripts/setup.sh";
  RunScaledDown("kafka.yaml", "local", "kafka");
}
TEST(OmbCliRunTest, RedisLocal) {
  RunScaledDown("redis.yaml", "local", "redis-streams");
}
TEST(OmbCliRunTest, JetStreamLocal) {
  RunScaledDown("nats-jetstream.yaml", "local", "nats-jetstream");
}
TEST(OmbCliRunTest, RabbitMqLocal) {
  RunScaledDown("rabbitmq.yaml", "local", "rabbitmq");
}

// producerRate 0 (find_max) with fan-out and a payload pool, against a local Redis: the search ends
// by itself, every step it ran is in result.json and in omb-result.json.
TEST(OmbCliRunTest, FindMaxOnLocalRedisRecordsEveryStep) {
  const std::string out = FreshDir("find_max_redis");
  const auto run =
      RunBakeoff({"run", "--omb", Data("workload-find-max.yaml"), "--omb-driver", Data("redis.yaml"),
                  "--environment", "local", "--duration-scale", "0.05", "--rate-scale", "0.1", "--quiet",
                  "--output", out, "--results-dir", out + "-index"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const json result = json::parse(Slurp(out + "/result.json"));
  ASSERT_EQ(result["runs"].size(), 1u);
  const json& r = result["runs"][0];
  EXPECT_EQ(r["status"], "ok") << r.dump(1).substr(0, 2000);
  ASSERT_TRUE(r.contains("find_max")) << r.dump(1).substr(0, 2000);
  ASSERT_TRUE(r.contains("steps"));
  const json& steps = r["steps"];
  EXPECT_GE(steps.size(), 2u);
  EXPECT_EQ(r["find_max"]["steps"].get<size_t>(), steps.size());
  EXPECT_FALSE(r["find_max"]["ended"].get<std::string>().empty());
  // The search starts at 10k/s x 0.1 and doubles while the steps meet the objective.
  EXPECT_DOUBLE_EQ(steps[0]["rate_target"].get<double>(), 1000.0);
  for (const json& step : steps) {
    EXPECT_GT(step["sent"].get<int64_t>(), 0) << step.dump();
    EXPECT_NEAR(step["duration_s"].get<double>(), 0.5, 0.01) << step.dump();
  }
  // Two subscriptions: each received every message exactly once.
  const json& a = r["metrics"]["accounting"];
  EXPECT_EQ(a["lost"], 0);
  EXPECT_EQ(a["duplicated"], 0);
  EXPECT_EQ(a["received"].get<int64_t>(), 2 * a["sent"].get<int64_t>());
  const json omb = json::parse(Slurp(out + "/omb-result.json"));
  EXPECT_EQ(omb["bakeoff"]["steps"].size(), steps.size());
  EXPECT_EQ(omb["bakeoff"]["findMax"]["found"], r["find_max"]["found"]);
  EXPECT_EQ(omb["bakeoff"]["findMax"]["steps"], r["find_max"]["steps"]);
}

// consumerBacklogSizeGB 1 x duration scale 0.002 (~2 MiB, 8388 messages of 256 B) built at 2000 msg/s
// with consumers paused, then 90% of it drained, against a local Redis.
TEST(OmbCliRunTest, BacklogOnLocalRedisBuildsAndDrains) {
  const std::string out = FreshDir("backlog_redis");
  const auto run = RunBakeoff({"run", "--omb", Data("workload-backlog.yaml"), "--omb-driver",
                               Data("redis.yaml"), "--environment", "local", "--duration-scale", "0.002",
                               "--quiet", "--output", out, "--results-dir", out + "-index"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const json result = json::parse(Slurp(out + "/result.json"));
  ASSERT_EQ(result["runs"].size(), 1u);
  const json& r = result["runs"][0];
  EXPECT_EQ(r["status"], "ok") << r.dump(1).substr(0, 2000);
  ASSERT_TRUE(r.contains("backlog")) << r.dump(1).substr(0, 2000);
  const json& b = r["backlog"];
  EXPECT_EQ(b["drained"], true);
  EXPECT_GE(b["messages"].get<int64_t>(), 8388);
  EXPECT_GT(b["drain_s"].get<double>(), 0.0);
  EXPECT_GT(b["drain_read_per_s"].get<double>(), 2000.0);  // faster than the producers, or it never drains
  const json& a = r["metrics"]["accounting"];
  EXPECT_EQ(a["lost"], 0);
  EXPECT_EQ(a["received"], a["sent"]);
  const json omb = json::parse(Slurp(out + "/omb-result.json"));
  EXPECT_DOUBLE_EQ(omb["bakeoff"]["backlog"]["drainTimeS"].get<double>(), b["drain_s"].get<double>());
  EXPECT_EQ(omb["bakeoff"]["backlog"]["backlogMessages"], b["messages"]);
}

}  // namespace
