// The rabbitmq driver against a real rabbitmq-server started through the local provider, driven by the
// real workload runner: every durable mode delivers 100,000 messages exactly once and in order, and a
// server killed mid-run ends the run in time with the errors counted.
//
// Booting RabbitMQ takes ~9 s, so one server serves every test of the suite (SetUpTestSuite); the kill
// test starts its own.
#include "drivers/rabbitmq/rabbitmq_driver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "drivers/rabbitmq/rabbitmq_test_server.h"
#include "measure/clock.h"
#include "measure/message_header.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RunSetup {
  std::string queue_type = "quorum";
  bool persistent = true;
  double rate = 20'000;
  int64_t messages = 100'000;
  int64_t duration_ns = 60'000'000'000;
  int64_t drain_ns = 20'000'000'000;
  int partitions = 4;
  int producers = 2;
  int consumers = 2;
  int subscriptions = 1;
};

struct RunOutcome {
  Status status;
  RunMetrics metrics;
  std::map<std::string, std::string> facts;
  Status deleted;
};

// Connect, CreateTopics, RunWorkload, DeleteTopics: what `bakeoff run` does with one system.
RunOutcome RunOnce(const Endpoints& endpoints, const RunSetup& setup, const std::string& topic) {
  RunOutcome out;
  SystemSpec system;
  system.name = "rabbitmq-" + setup.queue_type;
  system.driver = "rabbitmq";
  system.options.Set("queue_type", setup.queue_type);
  system.options.Set("persistent", setup.persistent);
  system.options.Set("connect_timeout", int64_t{3'000'000'000});
  system.options.Set("rpc_timeout", int64_t{5'000'000'000});
  system.options.Set("heartbeat", int64_t{5'000'000'000});
  ApplyDefaults(GetRabbitMqDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.topics = 1;
  workload.partitions = setup.partitions;
  workload.producers = setup.producers;
  workload.consumers = setup.consumers;
  workload.subscriptions = setup.subscriptions;
  workload.rate.msgs_per_s = setup.rate;
  if (setup.messages > 0) workload.messages = setup.messages;
  workload.duration_ns = setup.duration_ns;
  workload.drain_timeout_ns = setup.drain_ns;
  workload.message_size.fixed_bytes = 100;
  SessionContext ctx{.system = &system, .workload = &workload, .endpoints = endpoints, .run_id = topic};
  Result<std::unique_ptr<Session>> session = GetRabbitMqDriver()->Connect(ctx);
  if (!session.ok()) {
    out.status = session.status();
    return out;
  }
  TopicLayout layout{.topics = {topic}, .partitions = setup.partitions};
  out.status = (*session)->CreateTopics(layout);
  if (out.status.ok()) {
    RunnerOptions options;
    options.system_name = system.name;
    options.streams = workload.streams();
    Result<RunMetrics> metrics = RunWorkload(**session, workload, options);
    if (metrics.ok()) {
      out.metrics = std::move(metrics).value();
    } else {
      out.status = metrics.status();
    }
  }
  out.facts = (*session)->Facts();
  out.deleted = (*session)->DeleteTopics();
  return out;
}

std::string ErrorsOf(const RunMetrics& m) {
  std::string all;
  for (const auto& [message, count] : m.errors.described())
    all += message + " x" + std::to_string(count) + "\n";
  return all;
}

class RabbitMqDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = StartRabbitTestServer("rbt-shared").release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->status.ok()) << server_->status.ToString();
  }

  void ExpectExactDelivery(const RunSetup& setup, const std::string& topic) {
    const auto start = Clock::now();
    RunOutcome out = RunOnce(server_->endpoints, setup, topic);
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    testing::ExpectExactlyOnceInOrder(out.metrics, 100'000u);
    EXPECT_TRUE(out.deleted.ok()) << out.deleted.ToString();
    EXPECT_EQ(out.facts["queue_type"], setup.queue_type);
    EXPECT_NE(out.facts["server.version"].find("RabbitMQ"), std::string::npos);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%s: %.0f msg/s sent, e2e p50 %.2f ms p99 %.2f ms (corrected), publish p99 %.2f ms, %.1f s\n",
                setup.queue_type.c_str(), out.metrics.sent_msgs_per_s(),
                out.metrics.e2e.corrected.ValueAtPercentile(50) / 1e6,
                out.metrics.e2e.corrected.ValueAtPercentile(99) / 1e6,
                out.metrics.publish.corrected.ValueAtPercentile(99) / 1e6, seconds);
  }

  static RabbitTestServer* server_;
};

RabbitTestServer* RabbitMqDriverTest::server_ = nullptr;

TEST_F(RabbitMqDriverTest, ClassicPersistentDeliversEverythingOnceInOrder) {
  ExpectExactDelivery({.queue_type = "classic", .persistent = true},
                      "bk-classic-" + std::to_string(WallNowNs()));
}

TEST_F(RabbitMqDriverTest, QuorumDeliversEverythingOnceInOrder) {
  ExpectExactDelivery({.queue_type = "quorum", .rate = 15'000}, "bk-quorum-" + std::to_string(WallNowNs()));
}

TEST_F(RabbitMqDriverTest, StreamDeliversEverythingOnceInOrder) {
  ExpectExactDelivery({.queue_type = "stream"}, "bk-stream-" + std::to_string(WallNowNs()));
}

// Fan-out: a fanout exchange per stream and a queue per subscription bound to it; each subscription's
// queues receive every message, exactly once and in order, with publisher confirms from every queue.
TEST_F(RabbitMqDriverTest, ThreeSubscriptionsAreQueuesOnAFanoutExchange) {
  const RunSetup setup{.queue_type = "quorum", .rate = 10'000, .messages = 30'000, .subscriptions = 3};
  RunOutcome out = RunOnce(server_->endpoints, setup, "bk-fanout-" + std::to_string(WallNowNs()));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  testing::ExpectFanoutExactlyOnceInOrder(out.metrics, 30'000u, 3);
  EXPECT_EQ(out.facts["topology"], "a fanout exchange per stream, a queue per subscription (3)");
  EXPECT_TRUE(out.deleted.ok()) << out.deleted.ToString();
  std::printf("fan-out x3: e2e p99 %.2f ms (corrected), publish p99 %.2f ms\n",
              out.metrics.e2e.corrected.ValueAtPercentile(99) / 1e6,
              out.metrics.publish.corrected.ValueAtPercentile(99) / 1e6);
}

TEST_F(RabbitMqDriverTest, MissingQueueMakesFailedSendsNotSilentAcks) {
  // The queue is deleted behind the producer's back: mandatory publishes come back and count as failed.
  SystemSpec system;
  system.driver = "rabbitmq";
  ApplyDefaults(GetRabbitMqDriver()->schema(), system.options);
  WorkloadSpec workload;
  SessionContext ctx{
      .system = &system, .workload = &workload, .endpoints = server_->endpoints, .run_id = "m"};
  Result<std::unique_ptr<Session>> session = GetRabbitMqDriver()->Connect(ctx);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  TopicLayout layout{.topics = {"bk-missing-" + std::to_string(WallNowNs())}, .partitions = 1};
  ASSERT_TRUE((*session)->CreateTopics(layout).ok());
  struct Sink final : CompletionSink {
    void OnAcked(std::span<const SendTicket> t) override { acked += t.size(); }
    void OnFailed(const SendTicket&, const Status& why) override {
      ++failed;
      reason = why.ToString();
    }
    size_t acked = 0, failed = 0;
    std::string reason;
  } sink;
  Result<std::unique_ptr<Producer>> producer = (*session)->NewProducer(0, sink);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  ASSERT_TRUE((*session)->DeleteTopics().ok());
  std::vector<std::byte> payload(64);
  for (uint64_t seq = 0; seq < 10; ++seq) {
    EncodeHeader({0, seq, 1, 1}, payload.data());
    OutMessage m{.stream = 0, .payload = payload, .ticket = {.stream = 0, .seq = seq}};
    ASSERT_TRUE((*producer)->Send(m).ok());
  }
  EXPECT_TRUE((*producer)->Flush(5s).ok());
  EXPECT_EQ(sink.acked, 0u);
  EXPECT_EQ(sink.failed, 10u);
  EXPECT_NE(sink.reason.find("NO_ROUTE"), std::string::npos) << sink.reason;
}

TEST(RabbitMqKillTest, KilledServerEndsRunInTimeWithErrorsCounted) {
  std::unique_ptr<RabbitTestServer> server = StartRabbitTestServer("rbt-kill");
  ASSERT_TRUE(server->status.ok()) << server->status.ToString();
  if (!server->can_kill()) GTEST_SKIP() << "no environment to kill (BAKEOFF_RABBITMQ_URL mode)";
  std::thread killer([&] {
    std::this_thread::sleep_for(3s);
    server->Kill();
  });
  RunSetup setup{.queue_type = "quorum",
                 .rate = 10'000,
                 .messages = 0,
                 .duration_ns = 8'000'000'000,
                 .drain_ns = 4'000'000'000};
  const auto start = Clock::now();
  RunOutcome out = RunOnce(server->endpoints, setup, "bk-kill-" + std::to_string(WallNowNs()));
  const auto took = Clock::now() - start;
  killer.join();
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  // Window 8 s + send deadline/flush (drain/2 + drain) + drain, plus connection setup: well under 30 s.
  EXPECT_LT(took, 30s);
  const AccountingTotals& a = out.metrics.accounting;
  EXPECT_GT(a.acked, 10'000u) << "the first 3 s ran normally";
  EXPECT_LT(a.acked, 80'000u) << "the server died after 3 of 8 s";
  EXPECT_GT(a.send_errors, 0u);
  EXPECT_FALSE(out.metrics.errors.empty());
  EXPECT_FALSE(out.deleted.ok()) << "nothing to delete on a dead server, and it must say so";
  std::printf("killed run: sent %lu acked %lu errors %lu received %lu lost %lu in %.1f s\n%s",
              static_cast<unsigned long>(a.sent), static_cast<unsigned long>(a.acked),
              static_cast<unsigned long>(a.send_errors), static_cast<unsigned long>(a.received),
              static_cast<unsigned long>(a.lost), std::chrono::duration<double>(took).count(),
              ErrorsOf(out.metrics).c_str());
  server.reset();  // destroys the environment: idempotent after the kill
}

}  // namespace
}  // namespace bakeoff
