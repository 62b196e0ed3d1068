// The kafka driver against real Apache Kafka: 3-node KRaft clusters started through the local provider
// (jars from tools/kafka/lib, see scripts/setup.sh), driven by the real runner. Durability is what the
// experiment states: replication factor 3, min.insync.replicas 2 as topic config, acks all.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "drivers/kafka/kafka_driver.h"
#include "drivers/testing/local_system_run.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using StringMap = std::map<std::string, std::string>;

// RF 3, min.insync.replicas 2, acks all, idempotent producer, on a 3-node combined cluster.
struct DurableKafkaRun : testing::LocalSystemRun {
  DurableKafkaRun() : LocalSystemRun(GetKafkaDriver(), "kafka") {
    system.environment.options.Set("nodes", int64_t{3});
    system.options.Set("replication_factor", int64_t{3});
    system.options.Set("acks", std::string("all"));
    system.options.Set("enable_idempotence", true);
    system.options.Set("topic_config", StringMap{{"min.insync.replicas", "2"}});
    workload.topics = 1;
    workload.partitions = 6;
    workload.producers = 1;
    workload.consumers = 1;
  }
};

TEST(LocalKafkaDelivery, ThreeNodesRf3AcksAll100kExactlyOnceInOrder) {
  DurableKafkaRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.messages = 100'000;
  run.workload.duration_ns = 60'000'000'000;  // the cap ends the run after about 10 s
  run.workload.drain_timeout_ns = 30'000'000'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  const auto facts = run.env->Facts();
  EXPECT_EQ(facts.at("server"), "kafka");
  EXPECT_EQ(facts.at("brokers"), "3");
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectExactlyOnceInOrder(*m, 100'000);
  const auto driver_facts = run.session->Facts();
  EXPECT_EQ(driver_facts.at("topic.replication_factor"), "3");
  EXPECT_EQ(driver_facts.at("topic.min.insync.replicas"), "2");
  EXPECT_EQ(driver_facts.at("cluster.brokers"), "3");
}

// One broker of three SIGKILLed 6 s into the run (3 s warm-up, 12 s measured): with RF 3, min.insync.replicas 2 and acks all the
// cluster keeps accepting writes, the idempotent producer retries what the dead leader had not acked,
// and every acked message is received. The outage shows in the per-second series as a latency spike.
TEST(LocalKafkaFailover, OneBrokerOfThreeKilledNoAckedMessageLost) {
  DurableKafkaRun run;
  run.workload.rate.msgs_per_s = 2'000;
  run.workload.warmup_ns = 3'000'000'000;  // the consumer group's first join is slow on a busy machine
  run.workload.duration_ns = 12'000'000'000;
  run.workload.drain_timeout_ns = 30'000'000'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  const std::vector<ServerProcess> servers = run.env->Processes();
  ASSERT_EQ(servers.size(), 3u);
  constexpr auto kKillAt = 6s;
  std::thread killer([&] {
    std::this_thread::sleep_for(kKillAt);
    ::kill(servers[2].pid, SIGKILL);
  });
  const auto start = Clock::now();
  Result<RunMetrics> m = run.Run();
  const auto elapsed = Clock::now() - start;
  killer.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(elapsed, 3s + 12s + 30s + 10s) << "the run ends within warm-up + duration + drain + flush bounds";
  const AccountingTotals& a = m->accounting;
  EXPECT_EQ(a.sent, 30'000u);
  EXPECT_EQ(a.lost, 0u) << "acked " << a.acked << " received " << a.received;
  EXPECT_GE(a.received, a.acked - std::min(a.acked, a.duplicated));
  EXPECT_EQ(a.send_errors, 0u) << "min.insync.replicas 2 of 3: writes go on while one broker is down";
  EXPECT_EQ(a.out_of_order, 0u);
  // The outage: seconds before the kill are fast, some second after it is slow (partitions led by the
  // dead broker wait for the controller to move their leadership).
  int64_t before = 0, after = 0;
  for (const SecondSample& s : m->series) {
    if (!s.warmup && s.t_s + 1 < std::chrono::duration<double>(kKillAt).count())
      before = std::max(before, s.e2e_p99_ns);
    if (s.t_s > std::chrono::duration<double>(kKillAt).count()) after = std::max(after, s.e2e_p99_ns);
  }
  std::printf("  e2e p99 per second: max %.1f ms before the kill, %.1f ms after\n", before / 1e6, after / 1e6);
  EXPECT_GT(after, 2'000'000'000) << "the outage must show in the per-second series";
  EXPECT_GT(after, 2 * before);
}

}  // namespace
}  // namespace bakeoff
