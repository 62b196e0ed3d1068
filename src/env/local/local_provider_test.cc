// Unit tests of the local provider's lifecycle logic (no servers), and the crash test through the
// bakeoff program: `env up --foreground` SIGKILLed, then `env gc` leaves nothing.
#include "env/local/local_provider.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "env/local/env_admin.h"
#include "env/local/local_test_support.h"
#include "env/process/files.h"
#include "env/process/ports.h"
#include "spec/cpu_list.h"

namespace bakeoff {
namespace {

using testing_support::Sandbox;

TEST(LocalProviderTest, ServerInferredFromDriver) {
  EXPECT_EQ(*ServerForDriver("redis-streams"), "redis");
  EXPECT_EQ(*ServerForDriver("nats-jetstream"), "nats");
  EXPECT_EQ(*ServerForDriver("mqtt"), "mosquitto");
  EXPECT_EQ(*ServerForDriver("kinesis"), "kinesalite");
  EXPECT_EQ(*ServerForDriver("kafka"), "kafka");
  EXPECT_FALSE(ServerForDriver("memory").ok());
}

TEST(LocalProviderTest, SettingsAreValidated) {
  OptionValues o;
  o.Set("nodes", int64_t{3});
  EXPECT_FALSE(LocalSettingsFromOptions(o, "redis-streams").ok());  // redis does not cluster
  Result<LocalSettings> nats = LocalSettingsFromOptions(o, "nats");
  ASSERT_TRUE(nats.ok());
  EXPECT_EQ(nats->nodes, 3);
  EXPECT_EQ(nats->startup_timeout, std::chrono::seconds(30));
  EXPECT_EQ(LocalSettingsFromOptions(OptionValues(), "rabbitmq")->startup_timeout, std::chrono::seconds(60));
  OptionValues bad;
  bad.Set("config", std::map<std::string, std::string>{{"maxmemory", "1\nbind 0.0.0.0"}});
  EXPECT_FALSE(LocalSettingsFromOptions(bad, "redis-streams").ok());  // no config injection
  OptionValues cpus;
  cpus.Set("cpus", std::string("0"));
  Result<LocalSettings> pinned = LocalSettingsFromOptions(cpus, "redis-streams");
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_EQ(pinned->cpus, (std::vector<int>{0}));
}

TEST(LocalProviderTest, CpuListParsing) {
  EXPECT_EQ(*ParseCpuList("1"), std::vector<int>{1});
  EXPECT_EQ(*ParseCpuList("0,1"), (std::vector<int>{0, 1}));
  EXPECT_FALSE(ParseCpuList("x").ok());
  EXPECT_FALSE(ParseCpuList("1-0").ok());
  EXPECT_FALSE(ParseCpuList("4096").ok());
}

TEST(LocalProviderTest, StateFileRoundTrip) {
  EnvState s;
  s.id = "redis-abc123";
  s.owner_pid = 42;
  s.owner_start_ticks = 7;
  s.detached = true;
  s.endpoints = {{"url", "redis://127.0.0.1:1"}};
  s.resources.push_back(
      {.kind = "process", .name = "redis-1", .pid = 9, .pid_start_ticks = 99, .ports = {1, 2}});
  Result<EnvState> back = EnvStateFromJson(EnvStateToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, s.id);
  EXPECT_EQ(back->owner_start_ticks, 7u);
  EXPECT_TRUE(back->detached);
  EXPECT_EQ(back->resources.at(0).ports, (std::vector<int>{1, 2}));
  EXPECT_EQ(back->resources.at(0).pid_start_ticks, 99u);
}

TEST(LocalProviderTest, PortsAreUniqueWithinTheProcess) {
  std::set<int> ports;
  for (int i = 0; i < 50; ++i) ports.insert(*AllocateLoopbackPort());
  EXPECT_EQ(ports.size(), 50u);
}

// A recorded PID whose start time does not match (the PID was reused) is never signalled, and a
// directory not named after the environment is never removed.
TEST(LocalProviderTest, TearDownSparesReusedPidsAndForeignDirectories) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  const ProcessRef self = SelfProcess();
  const std::string foreign = sandbox.root() + "/not-the-env";
  ASSERT_TRUE(MakeDirectories(foreign).ok());
  EnvState s;
  s.id = "x-000001";
  s.resources.push_back({.kind = "process",
                         .name = "n",
                         .pid = self.pid,
                         .pid_start_ticks = self.start_ticks + 1,
                         .status = "running"});
  s.resources.push_back({.kind = "directory", .name = "work", .directories = {foreign}, .status = "created"});
  ASSERT_TRUE(store.Save(s).ok());
  Status st = TearDownEnvironment(s, store, OsProcessLauncher());
  EXPECT_FALSE(st.ok());                          // the foreign directory is refused ...
  EXPECT_TRUE(std::filesystem::exists(foreign));  // ... and kept
  EXPECT_EQ(s.resources[0].status, "stopped");    // the reused PID is treated as gone; we are alive
  EXPECT_TRUE(std::filesystem::exists(store.PathFor(s.id)));  // kept for a later attempt
}

// An environment whose recorded process died is "recorded but missing": gc reports and removes it.
TEST(LocalProviderTest, GcRemovesEnvironmentsOfDeadOwnersAndReportsDrift) {
  Sandbox sandbox;
  StateStore store(sandbox.state_dir());
  EnvState s;
  s.id = "gone-000002";
  s.owner_pid = 999999;  // not a running process
  s.work_dir = sandbox.work_root() + "/" + s.id;
  ASSERT_TRUE(MakeDirectories(s.work_dir).ok());
  s.resources.push_back(
      {.kind = "directory", .name = "work", .directories = {s.work_dir}, .status = "created"});
  s.resources.push_back(
      {.kind = "process", .name = "redis-1", .pid = 999998, .pid_start_ticks = 1, .status = "running"});
  ASSERT_TRUE(store.Save(s).ok());
  GcReport report = CollectGarbage(store, OsProcessLauncher(), sandbox.work_root());
  EXPECT_EQ(report.removed, std::vector<std::string>{s.id});
  ASSERT_EQ(report.drift.size(), 1u);
  EXPECT_NE(report.drift[0].find("recorded as running but missing"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(s.work_dir));
  EXPECT_TRUE(store.ListIds().empty());
}

// --- through the program -------------------------------------------------------------------------

std::string BakeoffBin() {
  const char* bin = std::getenv("BAKEOFF_BIN");
  return bin != nullptr ? bin : "build/bakeoff";
}

int RunBakeoff(const std::vector<std::string>& args, std::string* output = nullptr) {
  std::string command = BakeoffBin();
  for (const std::string& a : args) command += " '" + a + "'";
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[512];
  std::string out;
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(LocalProviderCrashTest, SigkilledOwnerThenGcLeavesNothing) {
  Sandbox sandbox;
  const std::string file = sandbox.root() + "/crash.yaml";
  std::ofstream(file) << "name: crash\nsystems:\n  - name: redis\n    driver: redis-streams\n"
                         "    environment: local\nworkload:\n  duration: 1s\n";
  const pid_t child = fork();
  if (child == 0) {
    const std::string bin = BakeoffBin();
    execl(bin.c_str(), bin.c_str(), "env", "up", file.c_str(), "--foreground", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(child, 0);
  StateStore store(sandbox.state_dir());
  EnvState state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<std::string> ids = store.ListIds();
    if (ids.size() == 1) {
      Result<EnvState> s = store.Load(ids[0]);
      if (s.ok() && s->status == "ready") {
        state = *s;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(state.status, "ready") << "env up did not get ready";
  const ResourceState* redis = state.Find("redis-1");
  ASSERT_NE(redis, nullptr);
  EXPECT_TRUE(OsProcessLauncher().IsRunning(redis->process())) << "the server outlives its killed owner";

  std::string out;
  EXPECT_EQ(RunBakeoff({"env", "status"}, &out), 0);
  EXPECT_NE(out.find("gone"), std::string::npos) << out;
  EXPECT_EQ(RunBakeoff({"env", "gc"}, &out), 0) << out;
  EXPECT_NE(out.find("removed " + state.id), std::string::npos) << out;

  EXPECT_FALSE(OsProcessLauncher().IsRunning(redis->process()));
  for (int port : redis->ports) EXPECT_FALSE(LoopbackPortAccepts(port));
  EXPECT_FALSE(std::filesystem::exists(state.work_dir));
  EXPECT_TRUE(store.ListIds().empty());
  EXPECT_EQ(RunBakeoff({"env", "gc"}, &out), 0);  // idempotent
  EXPECT_NE(out.find("nothing to collect"), std::string::npos) << out;
}

// `env up` leaves the environment detached: gc keeps it; `env down` removes it.
TEST(LocalProviderCrashTest, DetachedEnvironmentSurvivesGcUntilDown) {
  Sandbox sandbox;
  const std::string file = sandbox.root() + "/up.yaml";
  std::ofstream(file) << "name: up\nsystems:\n  - name: mqtt\n    driver: mqtt\n    environment: local\n"
                         "workload:\n  duration: 1s\n";
  std::string out;
  ASSERT_EQ(RunBakeoff({"env", "up", file}, &out), 0) << out;
  StateStore store(sandbox.state_dir());
  ASSERT_EQ(store.ListIds().size(), 1u);
  const std::string id = store.ListIds()[0];
  EXPECT_EQ(RunBakeoff({"env", "gc"}, &out), 0);
  EXPECT_NE(out.find("kept " + id), std::string::npos) << out;
  Result<EnvState> s = store.Load(id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(RunBakeoff({"env", "down", id}, &out), 0) << out;
  EXPECT_FALSE(OsProcessLauncher().IsRunning(s->resources.back().process()));
  EXPECT_FALSE(std::filesystem::exists(s->work_dir));
  EXPECT_TRUE(store.ListIds().empty());
}

}  // namespace
}  // namespace bakeoff
