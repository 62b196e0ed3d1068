// End-to-end test of the kafka driver against a real librdkafka mock cluster started through the
// embedded provider: every message acked, received exactly once, in order per stream (driven by hand
// and through the real runner at a fixed rate), and a cluster that dies in the middle of a run.
#include "drivers/kafka/kafka_driver.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/testing/local_system_run.h"
#include "env/embedded/embedded_provider.h"
#include "measure/clock.h"
#include "measure/message_header.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class AckRecorder final : public CompletionSink {
 public:
  explicit AckRecorder(int streams) : acked_per_stream(streams, 0) {}
  void OnAcked(std::span<const SendTicket> tickets) override {
    for (const SendTicket& t : tickets) {
      if (t.stream < acked_per_stream.size()) ++acked_per_stream[t.stream];
      ++acked;
    }
  }
  void OnFailed(const SendTicket&, const Status& why) override {
    ++failed;
    last_failure = why.ToString();
  }
  std::vector<int64_t> acked_per_stream;
  int64_t acked = 0;
  int64_t failed = 0;
  std::string last_failure;
};

// Per consumer: the sequence numbers it received, per stream, in arrival order.
class Collector final : public ReceiveSink {
 public:
  Collector(int streams, std::atomic<int64_t>& total) : seqs(streams), total_(total) {}
  void OnReceived(std::span<const InMessage> batch) override {
    for (const InMessage& m : batch) {
      std::optional<MessageHeader> h = DecodeHeader(m.payload);
      if (!h || m.stream >= seqs.size()) {
        ++bad;
        continue;
      }
      seqs[m.stream].push_back(h->seq);
    }
    total_ += static_cast<int64_t>(batch.size());
  }
  std::vector<std::vector<uint64_t>> seqs;
  int64_t bad = 0;

 private:
  std::atomic<int64_t>& total_;
};

struct Fixture {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Environment> env;
  std::unique_ptr<Session> session;
  TopicLayout layout;
};

Status BringUp(Fixture& f, const std::vector<std::string>& topics, int partitions) {
  f.system.name = "embedded-kafka";
  f.system.driver = "kafka";
  f.system.environment.provider = "embedded";
  ApplyDefaults(GetEmbeddedProvider()->schema(), f.system.environment.options);
  ApplyDefaults(GetKafkaDriver()->schema(), f.system.options);
  f.workload.topics = static_cast<int>(topics.size());
  f.workload.partitions = partitions;
  Result<std::unique_ptr<Environment>> env = GetEmbeddedProvider()->Create(f.system);
  if (!env.ok()) return env.status();
  f.env = std::move(env).value();
  BAKEOFF_RETURN_IF_ERROR(f.env->Apply(30s));
  f.layout = {.topics = topics, .partitions = partitions, .replication_factor = 1};
  BAKEOFF_RETURN_IF_ERROR(f.env->PrepareTopics(f.layout));
  SessionContext context{.system = &f.system,
                         .workload = &f.workload,
                         .endpoints = f.env->endpoints(),
                         .run_id = "test-" + std::to_string(WallNowNs())};
  Result<std::unique_ptr<Session>> session = GetKafkaDriver()->Connect(context);
  if (!session.ok()) return session.status();
  f.session = std::move(session).value();
  return f.session->CreateTopics(f.layout);
}

TEST(KafkaDriverTest, EmbeddedClusterDeliversEveryMessageOnceInOrder) {
  constexpr int kPartitions = 3;
  constexpr int kStreams = 2 * kPartitions;
  constexpr int64_t kMessages = 100'000;
  constexpr int kConsumers = 2;
  const auto deadline = Clock::now() + 50s;
  auto PerStream = [](int stream) { return kMessages / kStreams + (stream < kMessages % kStreams ? 1 : 0); };
  const int threads_before = ThreadCount();

  Fixture f;
  {
    Status up = BringUp(f, {"bakeoff-test-a", "bakeoff-test-b"}, kPartitions);
    ASSERT_TRUE(up.ok()) << up.ToString();
    EXPECT_EQ(f.env->endpoints().count("bootstrap_servers"), 1u);
    EXPECT_EQ(f.env->Facts().at("brokers"), "3");

    std::atomic<int64_t> received{0};
    std::atomic<bool> stop{false};
    std::atomic<int> ready{0};
    std::vector<std::unique_ptr<Collector>> collectors;
    std::vector<std::thread> threads;
    std::vector<Status> consumer_errors(kConsumers);
    for (int c = 0; c < kConsumers; ++c) {
      Result<std::unique_ptr<Consumer>> consumer =
          f.session->NewConsumer(ConsumerSpec{.index = c, .count = kConsumers});
      ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
      collectors.push_back(std::make_unique<Collector>(kStreams, received));
      threads.emplace_back([&, c, consumer = std::shared_ptr<Consumer>(std::move(consumer).value())] {
        bool counted = false;
        while (!stop && Clock::now() < deadline) {
          Status s = consumer->Poll(20ms, *collectors[c]);
          if (!s.ok()) consumer_errors[c] = s;
          if (!counted && consumer->Ready()) {
            counted = true;
            ++ready;
          }
        }
        Status closed = consumer->Close();
        if (consumer_errors[c].ok()) consumer_errors[c] = closed;
      });
    }
    while (ready < kConsumers && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(ready.load(), kConsumers) << "consumer group never assigned every consumer";

    AckRecorder acks(kStreams);
    {
      Result<std::unique_ptr<Producer>> producer = f.session->NewProducer(0, acks);
      ASSERT_TRUE(producer.ok()) << producer.status().ToString();
      std::vector<uint64_t> next_seq(kStreams, 0);
      std::byte payload[100] = {};
      for (int64_t i = 0; i < kMessages && Clock::now() < deadline; ++i) {
        OutMessage m;
        m.stream = static_cast<uint32_t>(i % kStreams);
        m.ticket = {.stream = m.stream,
                    .producer_id = 0,
                    .seq = next_seq[m.stream]++,
                    .intended_ns = MonotonicNowNs(),
                    .sent_ns = MonotonicNowNs()};
        EncodeHeader({.producer_id = 0,
                      .seq = m.ticket.seq,
                      .intended_ns = m.ticket.intended_ns,
                      .sent_ns = m.ticket.sent_ns},
                     payload);
        m.payload = payload;
        Status s = (*producer)->Send(m);
        while (s.code() == StatusCode::kQueueFull && Clock::now() < deadline) {
          (*producer)->Poll(1ms);
          s = (*producer)->Send(m);
        }
        ASSERT_TRUE(s.ok()) << s.ToString();
        if (i % 1024 == 0) (*producer)->Poll(0ns);
      }
      Status flushed = (*producer)->Flush(20s);
      EXPECT_TRUE(flushed.ok()) << flushed.ToString();
    }
    EXPECT_EQ(acks.acked, kMessages);
    EXPECT_EQ(acks.failed, 0) << acks.last_failure;
    for (int s = 0; s < kStreams; ++s) EXPECT_EQ(acks.acked_per_stream[s], PerStream(s)) << s;

    while (received < kMessages && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(200ms);  // a duplicate would arrive now
    stop = true;
    for (std::thread& t : threads) t.join();
    for (const Status& s : consumer_errors) EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(received.load(), kMessages);

    for (int s = 0; s < kStreams; ++s) {
      std::vector<int> seen(PerStream(s), 0);
      for (const auto& collector : collectors) {
        EXPECT_EQ(collector->bad, 0);
        const std::vector<uint64_t>& seqs = collector->seqs[s];
        for (size_t i = 0; i < seqs.size(); ++i) {
          ASSERT_LT(seqs[i], seen.size());
          ++seen[seqs[i]];
          if (i > 0) {
            ASSERT_LT(seqs[i - 1], seqs[i]) << "stream " << s << " out of order";
          }
        }
      }
      for (size_t q = 0; q < seen.size(); ++q) ASSERT_EQ(seen[q], 1) << "stream " << s << " seq " << q;
    }
    // Both consumers did work: the group spread the partitions.
    for (const auto& collector : collectors) {
      size_t got = 0;
      for (const auto& seqs : collector->seqs) got += seqs.size();
      EXPECT_GT(got, 0u);
    }

    const std::map<std::string, std::string> facts = f.session->Facts();
    EXPECT_EQ(facts.at("librdkafka"), rd_kafka_version_str());
    EXPECT_EQ(facts.at("producer.acks"), "all");
    EXPECT_TRUE(f.session->DeleteTopics().ok());
    EXPECT_TRUE(f.session->DeleteTopics().ok());
  }
  f.session.reset();
  EXPECT_TRUE(f.env->Destroy().ok());
  EXPECT_TRUE(f.env->Destroy().ok());
  EXPECT_TRUE(f.env->endpoints().empty());
  EXPECT_EQ(rd_kafka_wait_destroyed(5000), 0) << "a librdkafka handle outlived Destroy()";
  int threads_after = ThreadCount();
  for (int i = 0; i < 100 && threads_after > threads_before; ++i) {
    std::this_thread::sleep_for(20ms);
    threads_after = ThreadCount();
  }
  EXPECT_EQ(threads_after, threads_before);
}

Result<RunMetrics> RunThroughRunner(Fixture& f,
                                    std::function<void(const ProgressLine&)> on_progress = nullptr) {
  return testing::RunAndPrint(*f.session, f.system, f.workload, std::move(on_progress));
}

// The user's path: the runner's open-loop schedule at 20k msg/s, two producers, one consumer (the hand-
// driven test above covers a group of two).
TEST(KafkaDriverTest, FixedRateThroughTheRunnerExactlyOnceInOrder) {
  Fixture f;
  f.workload.producers = 2;
  f.workload.consumers = 1;
  f.workload.messages = 100'000;
  f.workload.rate.msgs_per_s = 20'000;
  f.workload.warmup_ns = 0;
  f.workload.duration_ns = 40'000'000'000;
  f.workload.drain_timeout_ns = 10'000'000'000;
  f.workload.message_size.fixed_bytes = 100;
  Status up = BringUp(f, {"bakeoff-test-rate"}, 4);
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = RunThroughRunner(f);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectExactlyOnceInOrder(*m, 100'000u);
  EXPECT_TRUE(f.session->DeleteTopics().ok());
  f.session.reset();
  EXPECT_TRUE(f.env->Destroy().ok());
}

// Fan-out: a consumer group per subscription, each with two members sharing the partitions; every group
// receives every message (members of one group would split them instead).
TEST(KafkaDriverTest, ThreeSubscriptionsAreThreeGroupsThatEachReceiveEverything) {
  Fixture f;
  f.workload.producers = 2;
  f.workload.subscriptions = 3;
  f.workload.consumers = 2;
  f.workload.messages = 30'000;
  f.workload.rate.msgs_per_s = 10'000;
  f.workload.warmup_ns = 0;
  f.workload.duration_ns = 40'000'000'000;
  f.workload.drain_timeout_ns = 10'000'000'000;
  f.workload.message_size.fixed_bytes = 100;
  Status up = BringUp(f, {"bakeoff-test-fanout"}, 4);
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = RunThroughRunner(f);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 30'000u, 3);
  const std::map<std::string, std::string> facts = f.session->Facts();
  EXPECT_NE(facts.at("consumer.group.id").find("-s2 (one group per subscription)"), std::string::npos)
      << facts.at("consumer.group.id");
  EXPECT_TRUE(f.session->DeleteTopics().ok());
  f.session.reset();
  EXPECT_TRUE(f.env->Destroy().ok());
}

// Every broker goes away 1.5 s into the measured part of a 4 s run, once messages flow (the mock cluster
// is destroyed: listeners and connections closed). The run ends within its deadline, the sends that could not
// be delivered are counted as failed, and tearing down does not hang.
TEST(KafkaDriverTest, ClusterKilledMidRunEndsInTimeWithErrorsCounted) {
  Fixture f;
  f.workload.producers = 1;
  f.workload.consumers = 1;
  f.workload.rate.msgs_per_s = 20'000;
  f.workload.warmup_ns = 0;
  f.workload.duration_ns = 4'000'000'000;
  f.workload.drain_timeout_ns = 2'000'000'000;
  f.workload.message_size.fixed_bytes = 100;
  f.system.options.Set("delivery_timeout", int64_t{1'000'000'000});
  Status up = BringUp(f, {"bakeoff-test-kill"}, 2);
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::atomic<bool> flowing{false};
  std::atomic<bool> done{false};
  Clock::time_point flowing_since;
  std::thread killer([&] {
    while (!flowing && !done) std::this_thread::sleep_for(10ms);
    if (done) return;
    std::this_thread::sleep_for(500ms);
    EXPECT_TRUE(f.env->Destroy().ok());
  });
  Result<RunMetrics> m = RunThroughRunner(f, [&](const ProgressLine& line) {
    if (line.received_per_s > 0 && !flowing) {
      flowing_since = Clock::now();
      flowing = true;
    }
  });
  done = true;
  const auto end = Clock::now();
  killer.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(flowing) << "no message arrived before the kill";
  // From the first second with deliveries (the group join before it is bounded separately): the rest of
  // the 4 s, the producers' flush and the drain (2 s each), the consumer's bounded close (3 s), slack.
  EXPECT_LT(end - flowing_since, 4s + 2 * 2s + 3s + 3s);
  testing::ExpectKilledMidRunCounted(*m);
  const auto teardown_start = Clock::now();
  (void)f.session->DeleteTopics();
  f.session.reset();
  EXPECT_LT(Clock::now() - teardown_start, 10s);
}

TEST(KafkaDriverTest, ExistingTopicWithOtherPartitionCountIsAnError) {
  Fixture f;
  Status up = BringUp(f, {"bakeoff-test-c"}, 3);
  ASSERT_TRUE(up.ok()) << up.ToString();
  TopicLayout other{.topics = {"bakeoff-test-c"}, .partitions = 5, .replication_factor = 1};
  Status s = f.session->CreateTopics(other);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("3 partitions"), std::string::npos) << s.message();
  f.session.reset();
  EXPECT_TRUE(f.env->Destroy().ok());
}

TEST(EmbeddedProviderTest, OnlyHostsKafka) {
  EXPECT_TRUE(EmbeddedProviderSupports("kafka"));
  EXPECT_FALSE(EmbeddedProviderSupports("redis-streams"));
  SystemSpec system;
  system.name = "r";
  system.driver = "redis-streams";
  EXPECT_EQ(GetEmbeddedProvider()->Create(system).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bakeoff
