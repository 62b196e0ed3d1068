// The kafka driver against real Apache Kafka: 3-node KRaft clusters started through the local provider
// (jars from tools/kafka/lib, see scripts/setup.sh), driven by the real runner. Durability is what the
// experiment states: replication factor 3, min.insync.replicas 2 as topic config, acks all.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>

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
  run.workload.rate.msgs_per_s = 20'000;
  run.workload.messages = 100'000;
  run.workload.duration_ns = 60'000'000'000;  // the cap ends the run after about 5 s
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

// Fan-out on real Apache Kafka (one node): a consumer group per subscription, two members each; every
// group receives every message once, in order per partition.
TEST(LocalKafkaDelivery, ThreeSubscriptionsAreThreeGroupsThatEachReceiveEverything) {
  testing::LocalSystemRun run(GetKafkaDriver(), "kafka");
  run.workload.topics = 1;
  run.workload.partitions = 4;
  run.workload.producers = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.messages = 30'000;
  run.workload.duration_ns = 60'000'000'000;  // the cap ends the run after about 3 s
  run.workload.drain_timeout_ns = 30'000'000'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 30'000, 3);
  EXPECT_NE(run.session->Facts().at("consumer.group.id").find("-s2 (one group per subscription)"),
            std::string::npos);
}

// One broker of three SIGKILLed 6 s into the run (3 s warm-up, 12 s measured): with RF 3, min.insync.replicas
// 2 and acks all the cluster keeps accepting writes, the idempotent producer retries what the dead leader had
// not acked, and every acked message is received. The outage shows in the per-second series as a latency
// spike.
TEST(LocalKafkaFailover, OneBrokerOfThreeKilledNoAckedMessageLost) {
  const auto test_start = Clock::now();
  DurableKafkaRun run;
  // A dead broker is fenced after broker.session.timeout.ms (Kafka's default 9 s); shorter here so that
  // the test stays short, as an experiment could state it too. The consumer's group session likewise.
  run.system.environment.options.Set(
      "config", StringMap{{"broker.session.timeout.ms", "3000"}, {"broker.heartbeat.interval.ms", "500"}});
  run.system.options.Set("session_timeout", int64_t{6'000'000'000});
  run.workload.rate.msgs_per_s = 2'000;
  run.workload.warmup_ns = 3'000'000'000;  // the consumer group's first join is slow on a busy machine
  run.workload.duration_ns = 12'000'000'000;
  run.workload.drain_timeout_ns = 20'000'000'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::printf("  up and connected after %.1f s\n",
              std::chrono::duration<double>(Clock::now() - test_start).count());
  const std::vector<ServerProcess> servers = run.env->Processes();
  ASSERT_EQ(servers.size(), 3u);
  // Killed from the progress callback (once a second, on the runner's clock), so that the kill lands
  // at t = 6 s of the series whatever the consumer group join before it took.
  constexpr double kKillAtS = 6;
  bool killed = false;
  const auto start = Clock::now();
  Result<RunMetrics> m =
      testing::RunAndPrint(*run.session, run.system, run.workload, [&](const ProgressLine& p) {
        if (!killed && p.elapsed_s >= kKillAtS - 0.5) {
          ::kill(servers[2].pid, SIGKILL);
          killed = true;
        }
      });
  const auto elapsed = Clock::now() - start;
  std::printf("  run took %.1f s\n", std::chrono::duration<double>(elapsed).count());
  EXPECT_TRUE(killed);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(elapsed, 3s + 12s + 20s + 10s) << "the run ends within warm-up + duration + drain + flush bounds";
  const AccountingTotals& a = m->accounting;
  EXPECT_GE(a.sent, 29'000u);
  EXPECT_EQ(a.lost, 0u) << "acked " << a.acked << " received " << a.received;
  EXPECT_GE(a.received, a.acked - std::min(a.acked, a.duplicated));
  EXPECT_EQ(a.send_errors, 0u) << "min.insync.replicas 2 of 3: writes go on while one broker is down";
  EXPECT_EQ(a.out_of_order, 0u);
  // The outage: seconds before the kill are fast, some second after it is slow (partitions led by the
  // dead broker wait for the controller to move their leadership).
  int64_t before = 0, after = 0;
  for (const SecondSample& s : m->series) {
    if (!s.warmup && s.t_s + 1 < kKillAtS) before = std::max(before, s.e2e_p99_ns);
    if (s.t_s > kKillAtS) after = std::max(after, s.e2e_p99_ns);
  }
  std::printf("  e2e p99 per second: max %.1f ms before the kill, %.1f ms after\n", before / 1e6,
              after / 1e6);
  for (const SecondSample& s : m->series)
    std::printf("  t %.0f%s acked %lu received %lu p99 %.0f ms\n", s.t_s, s.warmup ? " (warm-up)" : "",
                s.acked, s.received, s.e2e_p99_ns / 1e6);
  EXPECT_GT(before, 0) << "seconds between the warm-up and the kill delivered";
  EXPECT_GT(after, 2'000'000'000) << "the outage must show in the per-second series";
  EXPECT_GT(after, 2 * before);

  auto t0 = Clock::now();
  (void)run.session->DeleteTopics();
  std::printf("  DeleteTopics %.1f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
  t0 = Clock::now();
  run.session.reset();
  std::printf("  session closed in %.1f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
  t0 = Clock::now();
  EXPECT_TRUE(run.env->Destroy().ok());
  std::printf("  environment down in %.1f s\n", std::chrono::duration<double>(Clock::now() - t0).count());
}

}  // namespace
}  // namespace bakeoff
