// Integration tests: real Apache Kafka (KRaft) clusters started through the local provider's own code
// (jars from tools/kafka/lib, see scripts/setup.sh), healthy at the Kafka protocol level, and gone
// afterwards: no JVM of the environment, no listening port, no work directory, no state file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "env/local/local_environment.h"
#include "env/local/local_provider.h"
#include "env/local/local_test_support.h"

namespace bakeoff {
namespace {

using testing_support::Bringup;
using testing_support::ExpectNothingLeft;
using testing_support::ExpectSandboxEmpty;
using testing_support::Sandbox;

// Live processes whose environment carries `env_id` (every JVM the provider starts does).
int ProcessesOf(const std::string& env_id) {
  int found = 0;
  for (int pid : ListPids()) {
    const char st = ReadProcessState(pid);
    if (st == 0 || st == 'Z') continue;
    std::optional<std::string> id = ReadProcessEnvVar(pid, "BAKEOFF_ENV_ID");
    if (id && *id == env_id) ++found;
  }
  return found;
}

LocalSettings Kafka(int nodes, int replication_factor = 1) {
  LocalSettings s;
  s.server = "kafka";
  s.nodes = nodes;
  s.replication_factor = replication_factor;
  s.startup_timeout = std::chrono::seconds(60);
  return s;
}

TEST(LocalKafka, SettingsAreValidated) {
  OptionValues o;
  o.Set("nodes", int64_t{3});
  o.Set("controllers", int64_t{1});
  o.Set("heap", int64_t{256} * 1024 * 1024);
  Result<LocalSettings> s = LocalSettingsFromOptions(o, "kafka");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->server, "kafka");
  EXPECT_EQ(s->nodes, 3);
  EXPECT_EQ(s->controllers, 1);
  EXPECT_EQ(s->heap_bytes, 256 * 1024 * 1024);
  EXPECT_EQ(s->startup_timeout, std::chrono::seconds(60));
  o.Set("nodes", int64_t{6});
  EXPECT_FALSE(LocalSettingsFromOptions(o, "kafka").ok());  // 1..5 brokers
  OptionValues heap_on_redis;
  heap_on_redis.Set("heap", int64_t{256} * 1024 * 1024);
  EXPECT_FALSE(LocalSettingsFromOptions(heap_on_redis, "redis-streams").ok());

  // The experiment's replication factor must fit the brokers: refused before anything starts.
  SystemSpec system;
  system.name = "k";
  system.driver = "kafka";
  system.environment.provider = "local";
  system.environment.options.Set("nodes", int64_t{1});
  system.options.Set("replication_factor", int64_t{3});
  Result<std::unique_ptr<Environment>> env = FindProvider("local")->Create(system);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("replication_factor: 3"), std::string::npos)
      << env.status().message();
}

// Keys that bakeoff manages (listeners, roles, quorum, log dirs) are refused before any JVM starts.
TEST(LocalKafka, ManagedConfigKeyIsRefused) {
  Sandbox sandbox;
  LocalSettings s = Kafka(1);
  s.config = {{"listeners", "PLAINTEXT://0.0.0.0:9092"}};
  Bringup up = Bringup::Start(sandbox, s);
  ASSERT_FALSE(up.status.ok());
  EXPECT_NE(up.status.message().find("`listeners` is set by bakeoff"), std::string::npos)
      << up.status.message();
  EXPECT_LT(up.up_seconds, 2.0);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalKafka, OneNodeHealthyAndGone) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, Kafka(1));
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  const auto facts = up.env->Facts();
  EXPECT_EQ(facts.at("server"), "kafka");
  EXPECT_EQ(facts.at("server_version").rfind("Apache Kafka 4.", 0), 0u) << facts.at("server_version");
  EXPECT_EQ(facts.at("brokers"), "1");
  EXPECT_EQ(facts.at("heap"), "512m");
  EXPECT_FALSE(facts.at("startup_seconds").empty());
  const std::string bootstrap = up.env->endpoints().at("bootstrap_servers");
  EXPECT_EQ(bootstrap.rfind("127.0.0.1:", 0), 0u) << bootstrap;
  ASSERT_EQ(up.env->Processes().size(), 1u);
  EXPECT_EQ(ProcessesOf(up.env->id()), 1);
  std::printf("kafka 1 node up in %.3f s (%s)\n", up.up_seconds, facts.at("server_version").c_str());
  ExpectNothingLeft(sandbox, up);
  EXPECT_EQ(ProcessesOf(up.env->id()), 0);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalKafka, ThreeNodesReplicationFactorThreeHealthyAndGone) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, Kafka(3, 3));
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  const std::string bootstrap = up.env->endpoints().at("bootstrap_servers");
  EXPECT_EQ(std::count(bootstrap.begin(), bootstrap.end(), ','), 2) << bootstrap;
  EXPECT_EQ(up.env->Processes().size(), 3u);
  EXPECT_EQ(ProcessesOf(up.env->id()), 3);
  EXPECT_EQ(up.env->Facts().at("kraft"), "combined broker+controller nodes");
  int ports = 0;
  for (const ResourceState& r : up.resources) ports += static_cast<int>(r.ports.size());
  EXPECT_EQ(ports, 6);  // a broker and a controller listener per node
  std::printf("kafka 3 nodes up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  EXPECT_EQ(ProcessesOf(up.env->id()), 0);
  ExpectSandboxEmpty(sandbox);
}

// A misspelt `config:` key fails the start with the key named and the likely fix; nothing stays.
TEST(LocalKafka, UnknownConfigKeyIsNamed) {
  Sandbox sandbox;
  LocalSettings s = Kafka(1);
  s.config = {{"num.io.thread", "4"}};
  Bringup up = Bringup::Start(sandbox, s);
  ASSERT_FALSE(up.status.ok());
  EXPECT_EQ(up.status.code(), StatusCode::kInvalidArgument) << up.status.ToString();
  EXPECT_NE(up.status.message().find("`num.io.thread`"), std::string::npos) << up.status.message();
  EXPECT_NE(up.status.message().find("did you mean `num.io.threads`"), std::string::npos)
      << up.status.message();
  std::printf("%s\n", up.status.message().c_str());
  EXPECT_EQ(ProcessesOf(up.env->id()), 0);
  EXPECT_FALSE(std::filesystem::exists(up.env->work_dir()));
  ExpectSandboxEmpty(sandbox);
}

// A value Kafka rejects: the storage format (Kafka's own config parser) fails and its output is quoted.
TEST(LocalKafka, InvalidConfigValueQuotesKafka) {
  Sandbox sandbox;
  LocalSettings s = Kafka(1);
  s.config = {{"num.io.threads", "many"}};
  Bringup up = Bringup::Start(sandbox, s);
  ASSERT_FALSE(up.status.ok());
  EXPECT_NE(up.status.message().find("storage format exited"), std::string::npos) << up.status.message();
  EXPECT_NE(up.status.message().find("num.io.threads"), std::string::npos) << up.status.message();
  EXPECT_EQ(ProcessesOf(up.env->id()), 0);
  ExpectSandboxEmpty(sandbox);
}

// A broker that exits during its boot fails the start at once with the last lines of its log.
TEST(LocalKafka, BrokerThatCannotStartQuotesItsLog) {
  Sandbox sandbox;
  LocalSettings s = Kafka(1);
  s.config = {{"authorizer.class.name", "org.example.NoSuchAuthorizer"}};
  const auto start = std::chrono::steady_clock::now();
  Bringup up = Bringup::Start(sandbox, s);
  ASSERT_FALSE(up.status.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(40)) << "not the startup timeout";
  EXPECT_NE(up.status.message().find("during startup; last lines of"), std::string::npos)
      << up.status.message();
  EXPECT_NE(up.status.message().find("NoSuchAuthorizer"), std::string::npos) << up.status.message();
  EXPECT_EQ(ProcessesOf(up.env->id()), 0);
  ExpectSandboxEmpty(sandbox);
}

// The owner (`bakeoff env up --foreground`) is SIGKILLed with a dedicated controller and a broker up: the
// JVMs outlive it, and garbage collection (what `bakeoff env gc` runs) stops both and removes everything.
TEST(LocalKafka, SigkilledOwnerThenGcStopsEveryJvm) {
  Sandbox sandbox;
  const std::string file = sandbox.root() + "/crash.yaml";
  std::ofstream(file)
      << "name: crash\nsystems:\n  - name: kafka\n    driver: kafka\n"
         "    environment: {provider: local, nodes: 1, controllers: 1}\nworkload:\n  duration: 1s\n";
  const char* bin_env = std::getenv("BAKEOFF_BIN");
  const std::string bin = bin_env != nullptr ? bin_env : "build/bakeoff";
  const pid_t child = fork();
  if (child == 0) {
    execl(bin.c_str(), bin.c_str(), "env", "up", file.c_str(), "--foreground", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(child, 0);
  StateStore store(sandbox.state_dir());
  EnvState state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline && state.status != "ready") {
    std::vector<std::string> ids = store.ListIds();
    if (ids.size() == 1) {
      Result<EnvState> s = store.Load(ids[0]);
      if (s.ok()) state = *s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(state.status, "ready") << "env up did not get ready";
  EXPECT_EQ(ProcessesOf(state.id), 2) << "the JVMs outlive their killed owner";
  EXPECT_NE(state.Find("kafka-controller-1"), nullptr);
  EXPECT_NE(state.Find("kafka-broker-1"), nullptr);

  GcReport report = CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0], state.id);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(ProcessesOf(state.id), 0);
  for (const ResourceState& r : state.resources) {
    for (int port : r.ports) EXPECT_FALSE(LoopbackPortAccepts(port)) << r.name << " port " << port;
  }
  EXPECT_FALSE(std::filesystem::exists(state.work_dir));
  ExpectSandboxEmpty(sandbox);
}

}  // namespace
}  // namespace bakeoff
