// The mqtt driver through the real runner against a real mosquitto started by the `local` provider:
// exact delivery at QoS 1 and 2, loss that shows at QoS 0 for a slow subscriber, and a broker killed mid-run.
#include "drivers/mqtt/mqtt_driver.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "drivers/mqtt/mqtt_client.h"
#include "drivers/testing/local_system_run.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A real mqtt server through the local provider, driven by the real runner.
struct MqttRun : testing::LocalSystemRun {
  MqttRun() : LocalSystemRun(GetMqttDriver(), "mqtt") {}
};

void ExpectExactDelivery(int qos, bool clean_session) {
  MqttRun run;
  run.workload.topics = 2;
  run.workload.partitions = 2;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  run.workload.messages = 100'000;
  run.workload.rate.msgs_per_s = 20'000;
  // QoS 2 needs four packets per message and mosquitto lets 20 per client be in flight: on a busy 2-core
  // machine the producers may fall behind 20k/s (which shows in corrected latency, not as loss).
  run.workload.duration_ns = 40'000'000'000;
  run.workload.drain_timeout_ns = 10'000'000'000;
  run.system.options.Set("qos", int64_t{qos});
  run.system.options.Set("clean_session", clean_session);
  // mosquitto drops even QoS 1/2 messages for a subscriber with more than max_queued_messages (default
  // 1000) waiting; a slow moment on a busy machine would then show as loss. Unbounded for this test.
  run.system.environment.options.Set("config",
                                     std::map<std::string, std::string>{{"max_queued_messages", "0"}});
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectExactlyOnceInOrder(*m, 100'000u);
  const std::map<std::string, std::string> facts = run.session->Facts();
  EXPECT_EQ(facts.at("client"), "libmosquitto 2.0.11");
  EXPECT_EQ(facts.at("qos"), std::to_string(qos));
  EXPECT_EQ(facts.count("server_version"), 1u);
}

TEST(MqttTest, Qos1DeliversEveryMessageOnceInOrder) {
  ExpectExactDelivery(1, true);
}

TEST(MqttTest, Qos2PersistentSessionDeliversEveryMessageOnceInOrder) {
  ExpectExactDelivery(2, false);
}

// Fan-out: each subscription's consumers are clients of their own (client ids with "-s<k>"), splitting
// the topics within the subscription; the broker delivers every publish to each subscription once.
TEST(MqttTest, ThreeSubscriptionsEachReceiveEveryMessage) {
  MqttRun run;
  run.workload.topics = 2;
  run.workload.partitions = 2;
  run.workload.producers = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 2;
  run.workload.messages = 20'000;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.duration_ns = 40'000'000'000;
  run.workload.drain_timeout_ns = 10'000'000'000;
  run.system.environment.options.Set("config",
                                     std::map<std::string, std::string>{{"max_queued_messages", "0"}});
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 20'000u, 3);
}

// A subscriber that stops reading for a while once it is subscribed, as a slow application would: the
// broker's queue for it fills up. Everything else is forwarded to the real mqtt consumer.
class PausingConsumer final : public Consumer {
 public:
  PausingConsumer(std::unique_ptr<Consumer> inner, std::chrono::nanoseconds pause)
      : inner_(std::move(inner)), pause_(pause) {}
  bool Ready() override { return inner_->Ready(); }
  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (!inner_->Ready()) return inner_->Poll(max_wait, sink);
    if (!paused_) {
      paused_ = true;
      resume_at_ = Clock::now() + pause_;
    }
    if (Clock::now() < resume_at_) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    return inner_->Poll(max_wait, sink);
  }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<Consumer> inner_;
  std::chrono::nanoseconds pause_;
  bool paused_ = false;
  Clock::time_point resume_at_;
};

class PausingSession final : public Session {
 public:
  PausingSession(Session& inner, std::chrono::nanoseconds pause) : inner_(inner), pause_(pause) {}
  Status CreateTopics(const TopicLayout& layout) override { return inner_.CreateTopics(layout); }
  Status DeleteTopics() override { return inner_.DeleteTopics(); }
  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    return inner_.NewProducer(index, sink);
  }
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    Result<std::unique_ptr<Consumer>> consumer = inner_.NewConsumer(spec);
    if (!consumer.ok()) return consumer.status();
    return std::unique_ptr<Consumer>(std::make_unique<PausingConsumer>(std::move(consumer).value(), pause_));
  }

 private:
  Session& inner_;
  std::chrono::nanoseconds pause_;
};

// QoS 0 promises nothing: a subscriber that cannot keep up loses messages (mosquitto drops QoS 0 packets
// for a client with more than max_queued_messages waiting to be written), and the accounting must show it
// as lost. The subscriber pauses for 2 s of a 4 s run at 30 MB/s: far more than the loopback socket
// buffers (a few MB) plus the broker queue of 100 can hold. Afterwards it reads at full speed, so what
// is lost is what the broker dropped, not what the drain left behind.
TEST(MqttTest, Qos0SlowSubscriberShowsLoss) {
  MqttRun run;
  run.workload.partitions = 2;
  run.workload.producers = 1;
  run.workload.consumers = 1;
  run.workload.message_size.fixed_bytes = 1024;
  run.workload.rate.msgs_per_s = 30'000;
  run.workload.duration_ns = 4'000'000'000;
  run.workload.drain_timeout_ns = 5'000'000'000;
  run.system.options.Set("qos", int64_t{0});
  run.system.environment.options.Set("config",
                                     std::map<std::string, std::string>{{"max_queued_messages", "100"}});
  EXPECT_FALSE(GetMqttDriver()->capabilities(run.system.options).confirms_publish);
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  PausingSession pausing(*run.session, 2s);
  Result<RunMetrics> m = run.Run(pausing);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const AccountingTotals& a = m->accounting;
  EXPECT_GT(a.sent, 50'000u);
  EXPECT_EQ(a.acked, a.sent) << "QoS 0: every message was written to the socket";
  EXPECT_GT(a.lost, 10'000u) << "received " << a.received << " of " << a.sent;
  EXPECT_GT(a.received, 10'000u) << "the subscriber reads again after its pause";
  EXPECT_EQ(a.received + a.lost, a.sent);
  EXPECT_EQ(a.duplicated, 0u);
  EXPECT_EQ(m->stop_reason().find("drain timeout"), std::string::npos)
      << m->stop_reason() << ": the loss must be the broker's drops, not messages left unread";
}

TEST(MqttTest, BrokerKilledMidRunEndsInTimeWithErrorsCounted) {
  MqttRun run;
  run.workload.partitions = 2;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 20'000;
  run.workload.duration_ns = 4'000'000'000;
  run.workload.drain_timeout_ns = 2'000'000'000;
  run.system.options.Set("connect_timeout", int64_t{1'000'000'000});
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  ASSERT_NE(run.env, nullptr);
  std::thread killer([&] {
    std::this_thread::sleep_for(1500ms);
    for (const ServerProcess& p : run.env->Processes()) ::kill(p.pid, SIGKILL);
  });
  const auto start = Clock::now();
  Result<RunMetrics> m = run.Run();
  const auto elapsed = Clock::now() - start;
  killer.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(elapsed, 4s + 3 * 2s + 3s);
  testing::ExpectKilledMidRunCounted(*m);
  const auto teardown_start = Clock::now();
  (void)run.session->DeleteTopics();
  run.session.reset();
  EXPECT_TRUE(run.env->Destroy().ok());
  EXPECT_TRUE(run.env->Processes().empty());
  EXPECT_LT(Clock::now() - teardown_start, 10s);
}

TEST(MqttConfigTest, ParsesUrlsAndOptions) {
  mqtt::ClientConfig c;
  ASSERT_TRUE(mqtt::ParseMqttUrl("mqtt://10.0.0.2:1884", c).ok());
  EXPECT_EQ(c.host, "10.0.0.2");
  EXPECT_EQ(c.port, 1884);
  EXPECT_FALSE(mqtt::ParseMqttUrl("mqtt://h:0", c).ok());
  EXPECT_FALSE(mqtt::ParseMqttUrl("amqp://h:1", c).ok());
  OptionValues options;
  ApplyDefaults(GetMqttDriver()->schema(), options);
  EXPECT_TRUE(GetMqttDriver()->capabilities(options).confirms_publish);
  options.Set("password", std::string("${env:BAKEOFF_MQTT_TEST_UNSET}"));
  EXPECT_FALSE(mqtt::MakeClientConfig(options, "mqtt://127.0.0.1:1").ok());
  options.Set("password", std::string(""));
  Result<mqtt::ClientConfig> config = mqtt::MakeClientConfig(options, "mqtt://127.0.0.1:1");
  ASSERT_TRUE(config.ok());
  // Nothing listens on port 1: a fast, typed failure, no hang.
  mqtt::Client client(*config, "bakeoff-test-dead", true, nullptr);
  const auto start = Clock::now();
  EXPECT_FALSE(client.Connect().ok());
  EXPECT_LT(Clock::now() - start, 6s);
}

}  // namespace
}  // namespace bakeoff
