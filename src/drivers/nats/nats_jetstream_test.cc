// The "nats-jetstream" driver against real nats-server processes, through the real workload runner:
// 100,000 messages at a fixed rate with file and memory storage (and R3 on a 3-node cluster), none
// lost, duplicated or reordered; a killed server ends the run in time with errors counted.
#include <gtest/gtest.h>

#include <cstdio>

#include "drivers/nats/nats_driver.h"
#include "drivers/nats/nats_jetstream_clients.h"
#include "drivers/nats/nats_test_env.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using nats_test::RunOnce;
using nats_test::StartNatsServers;

WorkloadSpec Workload(double rate, int64_t messages) {
  // Generous: the drain ends as soon as everything arrived; a loaded machine only makes it longer.
  return nats_test::CappedWorkload(2, 2, rate, messages, 40s);
}

void ExpectExactlyOnceInOrder(const nats_test::RunOutcome& out, uint64_t messages) {
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  std::printf("  e2e corrected p50 %.2f ms p99 %.2f ms, publish p99 %.2f ms, run %.1f s\n",
              out.metrics.e2e.corrected.ValueAtPercentile(50) / 1e6,
              out.metrics.e2e.corrected.ValueAtPercentile(99) / 1e6,
              out.metrics.publish.corrected.ValueAtPercentile(99) / 1e6, out.elapsed.count() / 1e9);
  testing::ExpectExactlyOnceInOrder(out.metrics, messages);
  EXPECT_EQ(out.metrics.publish.corrected.total_count(), messages);
  EXPECT_TRUE(out.delete_topics.ok()) << out.delete_topics.ToString();
  EXPECT_EQ(out.facts.at("server_jetstream"), "true");
}

class JetStreamStorageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(JetStreamStorageTest, FixedRateDeliversEveryMessageOnceInOrder) {
  auto servers = StartNatsServers(1, true, GetParam());
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  OptionValues options;
  options.Set("storage", GetParam());
  const auto out = RunOnce(**servers, "nats-jetstream", options, Workload(20'000, 100'000));
  ExpectExactlyOnceInOrder(out, 100'000);
  EXPECT_EQ(out.facts.at("option.storage"), GetParam());
  EXPECT_TRUE((*servers)->Destroy().ok());
}

INSTANTIATE_TEST_SUITE_P(Storage, JetStreamStorageTest, ::testing::Values("file", "memory"));

// Fan-out: each subscription has durables of its own, so each receives the whole stream (durables shared
// between subscriptions would split the messages between them instead).
TEST(JetStreamTest, ThreeSubscriptionsEachReceiveEveryMessage) {
  auto servers = StartNatsServers(1, true);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  // 10k/s: at 20k/s on a machine loaded by parallel builds, once in five runs one producer's publish
  // acks stopped coming (cnats: "stalled with too many outstanding async published messages").
  WorkloadSpec w = Workload(10'000, 20'000);
  w.subscriptions = 3;
  w.consumers = 2;
  const auto out = RunOnce(**servers, "nats-jetstream", {}, w);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  testing::ExpectFanoutExactlyOnceInOrder(out.metrics, 20'000, 3);
  EXPECT_TRUE(out.delete_topics.ok()) << out.delete_topics.ToString();
  EXPECT_TRUE((*servers)->Destroy().ok());
}

TEST(JetStreamTest, AckAllAndOneStreamPerRun) {
  auto servers = StartNatsServers(1, true);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  OptionValues options;
  options.Set("ack_mode", std::string("all"));
  options.Set("stream_per", std::string("run"));
  options.Set("fetch_batch", int64_t{64});
  const auto out = RunOnce(**servers, "nats-jetstream", options, Workload(20'000, 40'000));
  ExpectExactlyOnceInOrder(out, 40'000);
}

// One consumer owns every partition of both topics: it reads each topic through one pull consumer
// filtered on `topic.*` (the partition comes from the subject); order per partition must still hold,
// also with both topics in one JetStream stream.
TEST(JetStreamTest, OneConsumerReadsEachTopicThroughOnePull) {
  auto servers = StartNatsServers(1, true);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  OptionValues options;
  options.Set("stream_per", std::string("run"));
  WorkloadSpec w = Workload(20'000, 60'000);
  w.partitions = 3;
  w.consumers = 1;
  const auto out = RunOnce(**servers, "nats-jetstream", options, w);
  ExpectExactlyOnceInOrder(out, 60'000);
}

TEST(JetStreamTest, ThreeReplicasOnAThreeNodeCluster) {
  auto servers = StartNatsServers(3, true);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  OptionValues options;
  options.Set("replicas", int64_t{3});
  // R3 replicates every message to two more nodes on the same 2 cores: half the single-node rate
  // keeps the test about the driver, not about how loaded the machine is.
  const auto out = RunOnce(**servers, "nats-jetstream", options, Workload(10'000, 100'000));
  ExpectExactlyOnceInOrder(out, 100'000);
  bool has_leader = false;
  for (const auto& [key, value] : out.facts)
    has_leader |= key.rfind("stream_leader.", 0) == 0 && !value.empty();
  EXPECT_TRUE(has_leader);
}

TEST(JetStreamTest, KilledServerEndsTheRunWithErrors) {
  auto servers = StartNatsServers(1, true);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  WorkloadSpec w = Workload(5'000, 0);
  w.messages.reset();
  w.duration_ns = 4'000'000'000;
  w.drain_timeout_ns = 2'000'000'000;
  const auto out = RunOnce(**servers, "nats-jetstream", {}, w, 1500ms);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_LT(out.elapsed, 20s);
  EXPECT_FALSE(out.metrics.errors.empty());
  const AccountingTotals& a = out.metrics.accounting;
  EXPECT_GT(a.acked, 0u);
  EXPECT_LT(a.acked, a.sent);
  EXPECT_GT(a.send_errors, 0u);
  // Nothing acked was lost: the stream had it before the kill... but the consumer cannot read it after.
  EXPECT_LE(a.received, a.sent);
  EXPECT_FALSE(out.delete_topics.ok());  // the server is gone; deleting failed, quickly
  EXPECT_TRUE((*servers)->pids().empty());
}

// Before: a 3-node cluster whose meta group did not yet see every peer failed stream creation with
// "no suitable peers for placement [10005]" (1 in 24 under load) as an internal error. Now waited out,
// for a bounded time, and only for that condition.
TEST(JetStreamPlacementTest, PendingPlacementIsWaitedOutForABoundedTime) {
  using nats_internal::RetryWhilePlacementPending;
  int calls = 0;
  auto fails_twice = [&calls](jsErrCode* code) {
    if (++calls <= 2) {
      *code = JSClusterNoPeersErr;
      return Unavailable("no suitable peers for placement");
    }
    return Status::Ok();
  };
  EXPECT_TRUE(RetryWhilePlacementPending(fails_twice, 5s, 10ms).ok());
  EXPECT_EQ(calls, 3);

  calls = 0;
  const auto start = std::chrono::steady_clock::now();
  Status never = RetryWhilePlacementPending(
      [&calls](jsErrCode* code) {
        ++calls;
        *code = JSClusterNotAvailErr;
        return Unavailable("JetStream system temporarily unavailable");
      },
      300ms, 50ms);
  EXPECT_FALSE(never.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_GE(calls, 3);
  EXPECT_NE(never.message().find("did not all report in"), std::string::npos) << never.message();

  calls = 0;
  Status other = RetryWhilePlacementPending(
      [&calls](jsErrCode* code) {
        ++calls;
        *code = JSStreamNameExistErr;
        return InvalidArgument("stream name already in use");
      },
      5s, 10ms);
  EXPECT_FALSE(other.ok());
  EXPECT_EQ(calls, 1);  // any other error is not retried
}

}  // namespace
}  // namespace bakeoff
