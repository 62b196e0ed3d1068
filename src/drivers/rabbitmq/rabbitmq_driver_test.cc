// The rabbitmq driver against a real rabbitmq-server started through the local provider, driven by the
// real workload runner: classic and stream queues deliver 100,000 messages exactly once and in order,
// fan-out, unroutable messages. The default (quorum) queue, a killed server and a dead endpoint are the
// conformance suite's (src/drivers/conformance_test.cc).
//
// Booting RabbitMQ takes ~9 s, so one server serves every test of the suite (SetUpTestSuite).
#include "drivers/rabbitmq/rabbitmq_driver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

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

}  // namespace
}  // namespace bakeoff
