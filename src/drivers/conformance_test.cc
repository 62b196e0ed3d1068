// The driver conformance suite: what every driver promises the runner, checked the same way for each of
// them against a real server that the project's own provider starts (`local`: redis-server, nats-server,
// rabbitmq-server, mosquitto, Apache Kafka KRaft, kinesalite; `embedded`: librdkafka's mock cluster) and
// driven by the real runner:
//   - exact delivery at a fixed rate: every message sent, acked and received once, in order;
//   - close is idempotent: Consumer::Close() and Session::DeleteTopics() twice, both fine;
//   - a server killed mid-run: the run ends in time and the failures are counted;
//   - a bad endpoint: Connect/CreateTopics fail fast with kUnavailable (or kTimeout) naming the address.
// Driver-specific behaviour (queue types, QoS levels, fan-out topologies, trimming, ...) stays in each
// driver's own *_test.cc.
//
// One instantiation per driver, so that the tests of one driver run one after another and share one
// server (RabbitMQ and Kafka take seconds to boot); the kill test starts a server of its own. Run one
// driver with --gtest_filter='redis_streams/*'.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/registry.h"
#include "drivers/testing/local_system_run.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "measure/message_header.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using StringMap = std::map<std::string, std::string>;

// What the suite needs to know about one driver; everything else is the driver's own business.
struct DriverCase {
  std::string label;     // test name part: kafka_embedded, redis_streams, ...
  std::string driver;    // registry name
  std::string provider;  // "local", "embedded", or "" for an in-process system without a server
  std::function<void(SystemSpec&)> configure;  // environment and driver options of every test's system
  // Exact delivery: 2 topics x 2 partitions, 2 producers, 2 consumers, `messages` at `rate`.
  double rate = 20'000;
  int64_t messages = 40'000;
  // Killed mid-run: driver options that make a dead server show within the run (short timeouts), the
  // rate, and how long after the first deliveries the whole run (incl. flush, drain, close) may take.
  std::function<void(SystemSpec&)> configure_for_kill;
  double kill_rate = 10'000;
  std::chrono::seconds killed_run_bound{15};
  uint64_t min_kill_errors = 1000;
  // A dead endpoint of the driver's kind on 127.0.0.1:`port`.
  std::function<Endpoints(int port)> dead_endpoints;
};

void NoOptions(SystemSpec&) {}

// Sets one duration option (nanoseconds) of the driver.
std::function<void(SystemSpec&)> Duration(std::string name, int64_t ns) {
  return [name, ns](SystemSpec& s) { s.options.Set(name, ns); };
}

// The endpoint `key` = `prefix` + "127.0.0.1:<port>".
std::function<Endpoints(int)> DeadAt(std::string key, std::string prefix) {
  return [key, prefix](int port) { return Endpoints{{key, prefix + "127.0.0.1:" + std::to_string(port)}}; };
}

std::vector<DriverCase> AllCases() {
  std::vector<DriverCase> cases;
  cases.push_back({.label = "memory", .driver = "memory", .provider = "", .configure = NoOptions});
  cases.push_back({
      .label = "kafka_embedded",
      .driver = "kafka",
      .provider = "embedded",
      .configure = NoOptions,
      .configure_for_kill = Duration("delivery_timeout", 1'000'000'000),
      .dead_endpoints = DeadAt("bootstrap_servers", ""),
  });
  DriverCase kafka_local = cases.back();  // the same driver against real Apache Kafka (one KRaft node)
  kafka_local.label = "kafka_local";
  kafka_local.provider = "local";
  cases.push_back(kafka_local);
  cases.push_back({
      .label = "redis_streams",
      .driver = "redis-streams",
      .provider = "local",
      .configure = NoOptions,
      .rate = 40'000,
      .configure_for_kill = Duration("command_timeout", 1'000'000'000),
      .kill_rate = 20'000,
      .dead_endpoints = DeadAt("url", "redis://"),
  });
  cases.push_back({
      .label = "nats",
      .driver = "nats",
      .provider = "local",
      .configure = NoOptions,
      .configure_for_kill = NoOptions,
      .kill_rate = 5'000,
      .min_kill_errors = 1,
      .dead_endpoints = DeadAt("url", "nats://"),
  });
  cases.push_back({
      .label = "nats_jetstream",
      .driver = "nats-jetstream",
      .provider = "local",
      .configure = NoOptions,
      .rate = 10'000,
      .configure_for_kill = NoOptions,
      .kill_rate = 5'000,
      .killed_run_bound = 20s,
      .min_kill_errors = 1,
      .dead_endpoints = DeadAt("url", "nats://"),
  });
  cases.push_back({
      .label = "rabbitmq",
      .driver = "rabbitmq",
      .provider = "local",
      .configure =
          [](SystemSpec& s) {
            s.options.Set("connect_timeout", int64_t{3'000'000'000});
            s.options.Set("rpc_timeout", int64_t{5'000'000'000});
            s.options.Set("heartbeat", int64_t{5'000'000'000});
          },
      .rate = 15'000,
      .configure_for_kill = NoOptions,
      .killed_run_bound = 30s,
      .dead_endpoints = DeadAt("url", "amqp://guest:guest@"),
  });
  cases.push_back({
      .label = "mqtt",
      .driver = "mqtt",
      .provider = "local",
      // mosquitto drops even QoS 1 messages for a subscriber with more than max_queued_messages (default
      // 1000) waiting; a slow moment on a busy machine would show as loss. Unbounded here.
      .configure =
          [](SystemSpec& s) {
            s.environment.options.Set("config", StringMap{{"max_queued_messages", "0"}});
          },
      .configure_for_kill = Duration("connect_timeout", 1'000'000'000),
      .dead_endpoints = DeadAt("url", "mqtt://"),
  });
  cases.push_back({
      .label = "kinesis",
      .driver = "kinesis",
      .provider = "local",
      .configure = NoOptions,
      .rate = 2'000,  // kinesalite is a node.js process: a few thousand records a second
      .messages = 10'000,
      .configure_for_kill = Duration("request_timeout", 2'000'000'000),
      .kill_rate = 1'000,
      .killed_run_bound = 40s,
      .min_kill_errors = 100,
      .dead_endpoints =
          [](int port) {
            return Endpoints{{"url", "http://127.0.0.1:" + std::to_string(port)}, {"region", "us-east-1"}};
          },
  });
  return cases;
}

DriverCase CaseNamed(const std::string& label) {
  for (DriverCase& c : AllCases()) {
    if (c.label == label) return c;
  }
  ADD_FAILURE() << "no conformance case " << label;
  return {};
}

// One server of a case, started through the case's provider; destroyed with this object.
struct Server {
  SystemSpec system;
  std::unique_ptr<Environment> env;  // null for an in-process system
  Endpoints endpoints;

  ~Server() {
    if (env) {
      EXPECT_TRUE(env->Destroy().ok());
    }
  }

  // A crash, not a shutdown: SIGKILL to every server process by PID; an in-process server (the
  // embedded mock cluster) is destroyed, which closes its listeners and connections at once.
  void Kill() {
    if (env == nullptr) return;
    const std::vector<ServerProcess> processes = env->Processes();
    if (processes.empty()) {
      EXPECT_TRUE(env->Destroy().ok());
      return;
    }
    for (const ServerProcess& p : processes) ::kill(p.pid, SIGKILL);
  }
};

SystemSpec SystemOf(const DriverCase& c, const std::string& name) {
  SystemSpec system;
  system.name = name;
  system.driver = c.driver;
  system.environment.provider = c.provider;
  c.configure(system);
  return system;
}

Result<std::unique_ptr<Server>> StartServer(const DriverCase& c, const SystemSpec& system) {
  auto server = std::make_unique<Server>();
  server->system = system;
  if (c.provider.empty()) return server;
  Provider* provider = FindProvider(c.provider);
  if (provider == nullptr) return NotFound("provider " + c.provider + " is not built");
  ApplyDefaults(provider->schema(), server->system.environment.options);
  Result<std::unique_ptr<Environment>> env = provider->Create(server->system);
  if (!env.ok()) return env.status();
  server->env = std::move(env).value();
  BAKEOFF_RETURN_IF_ERROR(server->env->Apply(90s));
  server->endpoints = server->env->endpoints();
  return server;
}

// A connected session with the workload's topics, named after the run id so that tests sharing a server
// never share topics.
struct Connected {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;
  std::string run_id;
};

Status ConnectAndCreate(Driver* driver, Server& server, Connected& out) {
  ApplyDefaults(driver->schema(), out.system.options);
  out.run_id = "cf" + std::to_string(WallNowNs() % 1'000'000'000'000);
  SessionContext ctx{
      .system = &out.system, .workload = &out.workload, .endpoints = server.endpoints, .run_id = out.run_id};
  Result<std::unique_ptr<Session>> session = driver->Connect(ctx);
  if (!session.ok()) return session.status();
  out.session = std::move(session).value();
  TopicLayout layout{.partitions = out.workload.partitions, .replication_factor = 1};
  for (int t = 0; t < out.workload.topics; ++t)
    layout.topics.push_back("bk-" + out.run_id + "-t" + std::to_string(t));
  if (server.env) BAKEOFF_RETURN_IF_ERROR(server.env->PrepareTopics(layout));
  return out.session->CreateTopics(layout);
}

WorkloadSpec BaseWorkload() {
  WorkloadSpec w;
  w.topics = 2;
  w.partitions = 2;
  w.producers = 2;
  w.consumers = 2;
  w.warmup_ns = 0;
  w.message_size.fixed_bytes = 100;
  return w;
}

class DriverConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    case_ = CaseNamed(GetParam());
    driver_ = FindDriver(case_.driver);
    ASSERT_NE(driver_, nullptr) << case_.driver << " is not registered";
  }

  // The server the tests of this driver share: started by the first that asks, destroyed after the
  // driver's last test (TearDownTestSuite runs once per instantiation, i.e. per driver).
  Server* SharedServer() {
    if (shared_ == nullptr) {
      Result<std::unique_ptr<Server>> started = StartServer(case_, SystemOf(case_, "cf-" + case_.label));
      if (!started.ok()) {
        ADD_FAILURE() << "server for " << case_.label << ": " << started.status().ToString();
        return nullptr;
      }
      shared_ = std::move(started).value().release();
    }
    return shared_;
  }

  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }

  DriverCase case_;
  Driver* driver_ = nullptr;
  static Server* shared_;
};

Server* DriverConformanceTest::shared_ = nullptr;

TEST_P(DriverConformanceTest, FixedRateDeliversEveryMessageOnceInOrder) {
  Server* server = SharedServer();
  ASSERT_NE(server, nullptr);
  Connected run{.system = server->system, .workload = BaseWorkload()};
  run.workload.messages = case_.messages;
  run.workload.rate.msgs_per_s = case_.rate;
  // The message cap ends the run; the duration and the drain only bound a run that goes wrong.
  run.workload.duration_ns = (case_.messages / static_cast<int64_t>(case_.rate) + 30) * 1'000'000'000;
  run.workload.drain_timeout_ns = 30'000'000'000;
  Status up = ConnectAndCreate(driver_, *server, run);
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = testing::RunAndPrint(*run.session, run.system, run.workload);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectExactlyOnceInOrder(*m, static_cast<uint64_t>(case_.messages));
  EXPECT_EQ(m->e2e.corrected.total_count(), static_cast<uint64_t>(case_.messages));
  EXPECT_EQ(m->publish.corrected.total_count(), static_cast<uint64_t>(case_.messages));
  EXPECT_TRUE(run.session->DeleteTopics().ok());
}

class CountingSinks final : public CompletionSink, public ReceiveSink {
 public:
  void OnAcked(std::span<const SendTicket> tickets) override { acked += tickets.size(); }
  void OnFailed(const SendTicket&, const Status& why) override {
    ++failed;
    last_failure = why.ToString();
  }
  void OnReceived(std::span<const InMessage> batch) override { received += batch.size(); }
  size_t acked = 0, failed = 0, received = 0;
  std::string last_failure;
};

// Close twice, delete twice: the second call of each is a no-op that succeeds. The runner and the
// experiment runner both clean up on every exit path, so either may come second.
TEST_P(DriverConformanceTest, CloseAndDeleteTopicsAreIdempotent) {
  Server* server = SharedServer();
  ASSERT_NE(server, nullptr);
  Connected run{.system = server->system, .workload = BaseWorkload()};
  run.workload.topics = 1;
  run.workload.partitions = 1;
  run.workload.producers = 1;
  run.workload.consumers = 1;
  Status up = ConnectAndCreate(driver_, *server, run);
  ASSERT_TRUE(up.ok()) << up.ToString();
  CountingSinks sinks;
  Result<std::unique_ptr<Consumer>> consumer = run.session->NewConsumer(ConsumerSpec{});
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  // Subscribed before anything is published (an MQTT or core NATS subscriber misses what came before).
  const auto deadline = Clock::now() + 30s;
  while (!(*consumer)->Ready() && Clock::now() < deadline) ASSERT_TRUE((*consumer)->Poll(20ms, sinks).ok());
  ASSERT_TRUE((*consumer)->Ready()) << "consumer not ready within 30 s";
  {
    Result<std::unique_ptr<Producer>> producer = run.session->NewProducer(0, sinks);
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    std::vector<std::byte> payload(100);
    for (uint64_t seq = 0; seq < 10; ++seq) {
      const int64_t now = MonotonicNowNs();
      EncodeHeader({.producer_id = 0, .seq = seq, .intended_ns = now, .sent_ns = now}, payload.data());
      OutMessage m{.stream = 0,
                   .payload = payload,
                   .ticket = {.stream = 0, .seq = seq, .intended_ns = now, .sent_ns = now}};
      Status sent = (*producer)->Send(m);
      while (sent.code() == StatusCode::kQueueFull && Clock::now() < deadline) {
        (*producer)->Poll(1ms);
        sent = (*producer)->Send(m);
      }
      ASSERT_TRUE(sent.ok()) << sent.ToString();
    }
    Status flushed = (*producer)->Flush(20s);
    ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  }
  EXPECT_EQ(sinks.acked, 10u);
  EXPECT_EQ(sinks.failed, 0u) << sinks.last_failure;
  while (sinks.received < 10 && Clock::now() < deadline) ASSERT_TRUE((*consumer)->Poll(50ms, sinks).ok());
  EXPECT_EQ(sinks.received, 10u);
  Status first = (*consumer)->Close();
  EXPECT_TRUE(first.ok()) << first.ToString();
  Status second = (*consumer)->Close();
  EXPECT_TRUE(second.ok()) << second.ToString();
  consumer->reset();
  Status deleted = run.session->DeleteTopics();
  EXPECT_TRUE(deleted.ok()) << deleted.ToString();
  Status again = run.session->DeleteTopics();
  EXPECT_TRUE(again.ok()) << again.ToString();
  run.session.reset();
}

// The kill and bad-endpoint tests need a server (and an address): every case but the in-process one.
class ServerConformanceTest : public DriverConformanceTest {};

// The server is SIGKILLed a second after messages start to arrive: the run still ends within its bounds
// (rest of the window, flush, drain, bounded closes), the sends that could not complete are counted as
// errors, what came before the kill was delivered, and tearing down does not hang.
TEST_P(ServerConformanceTest, ServerKilledMidRunEndsInTimeWithErrorsCounted) {
  SystemSpec system = SystemOf(case_, "cf-kill-" + case_.label);
  case_.configure_for_kill(system);
  Result<std::unique_ptr<Server>> server = StartServer(case_, system);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Connected run{.system = system, .workload = BaseWorkload()};
  run.workload.topics = 1;
  run.workload.rate.msgs_per_s = case_.kill_rate;
  run.workload.duration_ns = 5'000'000'000;
  run.workload.drain_timeout_ns = 2'000'000'000;
  Status up = ConnectAndCreate(driver_, **server, run);
  ASSERT_TRUE(up.ok()) << up.ToString();
  std::atomic<bool> flowing{false};
  std::atomic<bool> done{false};
  std::atomic<bool> killed{false};
  Clock::time_point flowing_since;
  std::thread killer([&] {
    while (!flowing && !done) std::this_thread::sleep_for(10ms);
    if (done) return;
    std::this_thread::sleep_for(1s);
    (*server)->Kill();
    killed = true;
  });
  Result<RunMetrics> m =
      testing::RunAndPrint(*run.session, run.system, run.workload, [&](const ProgressLine& p) {
        if (p.received_per_s > 0 && !flowing) {
          flowing_since = Clock::now();
          flowing = true;
        }
      });
  done = true;
  const auto end = Clock::now();
  killer.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(killed) << "no message arrived, so the server was never killed";
  EXPECT_LT(end - flowing_since, case_.killed_run_bound);
  testing::ExpectKilledMidRunCounted(*m, case_.min_kill_errors);
  const auto teardown_start = Clock::now();
  (void)run.session->DeleteTopics();  // the server is gone: it may fail, but quickly
  run.session.reset();
  EXPECT_TRUE((*server)->env->Destroy().ok());
  EXPECT_TRUE((*server)->env->Processes().empty());
  EXPECT_LT(Clock::now() - teardown_start, 40s);
}

// Nothing listens on the address: Connect, or at the latest CreateTopics, fails within seconds with an
// error that says the server is unavailable (or did not answer in time) and names the address.
TEST_P(ServerConformanceTest, BadEndpointFailsFastWithANamedError) {
  constexpr int kDeadPort = 1;  // privileged and unused: the connection is refused at once
  Server nowhere;
  nowhere.system = SystemOf(case_, "cf-dead-" + case_.label);
  nowhere.endpoints = case_.dead_endpoints(kDeadPort);
  Connected run{.system = nowhere.system, .workload = BaseWorkload()};
  const auto start = Clock::now();
  Status st = ConnectAndCreate(driver_, nowhere, run);
  const auto took = Clock::now() - start;
  ASSERT_FALSE(st.ok()) << "a session against a dead endpoint";
  EXPECT_TRUE(st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kTimeout) << st.ToString();
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(kDeadPort)), std::string::npos)
      << "the error must name the address: " << st.ToString();
  EXPECT_LT(took, 15s) << st.ToString();
  run.session.reset();
}

std::string Label(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

#define BAKEOFF_CONFORMANCE(label)                                                          \
  INSTANTIATE_TEST_SUITE_P(label, DriverConformanceTest, ::testing::Values(#label), Label); \
  INSTANTIATE_TEST_SUITE_P(label, ServerConformanceTest, ::testing::Values(#label), Label)

INSTANTIATE_TEST_SUITE_P(memory, DriverConformanceTest, ::testing::Values("memory"), Label);
BAKEOFF_CONFORMANCE(kafka_embedded);
BAKEOFF_CONFORMANCE(kafka_local);
BAKEOFF_CONFORMANCE(redis_streams);
BAKEOFF_CONFORMANCE(nats);
BAKEOFF_CONFORMANCE(nats_jetstream);
BAKEOFF_CONFORMANCE(rabbitmq);
BAKEOFF_CONFORMANCE(mqtt);
BAKEOFF_CONFORMANCE(kinesis);

// Every registered driver has a case (a new driver joins the suite or this fails).
TEST(DriverConformanceCoverage, EveryRegisteredDriverHasACase) {
  for (Driver* d : AllDrivers()) {
    bool covered = false;
    for (const DriverCase& c : AllCases()) covered |= c.driver == d->name();
    EXPECT_TRUE(covered) << d->name() << " has no conformance case";
  }
}

}  // namespace
}  // namespace bakeoff
