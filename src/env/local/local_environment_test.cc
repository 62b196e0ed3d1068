// The generic lifecycle of a local environment (local_environment.cc, env_admin.cc) with scripted fake
// processes: the order of records and spawns, teardown in reverse, and the failures a real server cannot
// be told to produce on cue (a spawn that fails mid-start, a server that exits during startup, one that
// never gets healthy, one that ignores SIGTERM). The state file and work directory are real (in a
// sandbox); no process is started. Real servers are tested in local_servers_test and local_kafka_test.
#include "env/local/local_environment.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "env/local/env_admin.h"
#include "env/local/local_test_support.h"
#include "env/process/files.h"
#include "env/process/testing/fake_process_launcher.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using testing_support::FakeProcessLauncher;
using testing_support::FakeProcessScript;
using testing_support::Sandbox;
using Events = std::vector<std::string>;

constexpr std::chrono::milliseconds kGrace{40};

// A server kind of one helper and two nodes whose health the test decides.
struct FakeKind {
  std::function<Status()> probe = [] { return Status::Ok(); };
  int probes = 0;
  ServerKind kind;

  FakeKind() {
    kind.name = "fake";
    kind.plan = [](const LocalSettings&) { return std::vector<std::string>{"a helper and two fake nodes"}; };
    kind.layout = [this](const LayoutContext& ctx) -> Result<ServerLayout> {
      ServerLayout layout;
      ProcessPlan helper = MakeProcessPlan(ctx, "helper", {"fake-helper"});
      helper.stop_grace = kGrace;
      layout.files[helper.dir + "/helper.conf"] = "port 1\n";
      layout.helpers.push_back(helper);
      for (const char* name : {"node-1", "node-2"}) {
        ProcessPlan node = MakeProcessPlan(ctx, name, {std::string("fake-") + name});
        node.stop_grace = kGrace;
        layout.nodes.push_back(node);
      }
      layout.endpoints = {{"url", "fake://127.0.0.1:1"}};
      layout.facts["server"] = "fake";
      layout.probe = [this](std::chrono::milliseconds) {
        ++probes;
        return probe();
      };
      return layout;
    };
  }
};

class LocalEnvironmentTest : public ::testing::Test {
 protected:
  std::unique_ptr<LocalEnvironment> MakeEnvironment(std::chrono::milliseconds startup_timeout = 5000ms) {
    LocalEnvironmentOptions options;
    options.system_name = "life";
    options.settings.server = "fake";
    options.settings.startup_timeout = startup_timeout;
    options.kind = &fake_kind_.kind;
    options.launcher = &launcher_;
    options.state_dir = sandbox_.state_dir();
    options.work_root = sandbox_.work_root();
    auto env = std::make_unique<LocalEnvironment>(options);
    state_path_ = StateStore(sandbox_.state_dir()).PathFor(env->id());
    return env;
  }

  Result<EnvState> LoadState(const std::string& path) {
    Result<std::string> text = ReadTextFile(path);
    if (!text.ok()) return text.status();
    return EnvStateFromJson(*text);
  }

  // Nothing runs, and neither the work directory nor the state file exists.
  void ExpectNothingLeft(const LocalEnvironment& env) {
    EXPECT_EQ(launcher_.running_count(), 0);
    EXPECT_FALSE(std::filesystem::exists(env.work_dir())) << env.work_dir();
    EXPECT_FALSE(std::filesystem::exists(state_path_)) << state_path_;
  }

  Sandbox sandbox_;
  FakeProcessLauncher launcher_;
  FakeKind fake_kind_;
  std::string state_path_;
};

// What the state file said about a process at the moment it was spawned.
struct SeenAtSpawn {
  std::string name;
  std::string status;
  int pid = -1;
  int running_before = 0;  // processes recorded as running then
  bool config_written = false;
};

TEST_F(LocalEnvironmentTest, RecordsEachProcessBeforeItStartsHelpersFirstAndStopsInReverse) {
  auto env = MakeEnvironment();
  std::vector<SeenAtSpawn> seen;
  launcher_.OnSpawn([&](const SpawnRequest& request) {
    SeenAtSpawn s;
    const auto state_file = request.env.find(kEnvStateVariable);
    ASSERT_NE(state_file, request.env.end());
    EXPECT_EQ(request.env.at(kEnvIdVariable), env->id());
    Result<EnvState> state = LoadState(state_file->second);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    for (const ResourceState& r : state->resources) {
      if (r.kind == "directory") {
        EXPECT_EQ(r.status, "created") << "the work directory is made before any spawn";
      }
      if (r.kind != "process") continue;
      if (r.log == request.log_path) {
        s.name = r.name;
        s.status = r.status;
        s.pid = r.pid;
      } else if (r.status == "running") {
        ++s.running_before;
      }
    }
    s.config_written = std::filesystem::exists(env->work_dir() + "/helper/helper.conf");
    seen.push_back(s);
  });

  Status st = env->Apply(10s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(launcher_.events(), (Events{"spawn fake-helper", "spawn fake-node-1", "spawn fake-node-2"}));
  ASSERT_EQ(seen.size(), 3u);
  const std::vector<std::string> order = {"helper", "node-1", "node-2"};
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].name, order[i]);
    EXPECT_EQ(seen[i].status, "planned") << order[i] << " was not recorded before it was spawned";
    EXPECT_EQ(seen[i].pid, 0) << order[i];
    EXPECT_EQ(seen[i].running_before, static_cast<int>(i)) << "the earlier ones are recorded with their pid";
    EXPECT_TRUE(seen[i].config_written) << "files are written before any process starts";
  }

  // Healthy: the nodes (not the helper) are the environment's servers, with the PIDs in the state file.
  Result<EnvState> ready = LoadState(state_path_);
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, "ready");
  EXPECT_EQ(ready->kind, "fake");
  std::vector<ServerProcess> servers = env->Processes();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].name, "node-1");
  EXPECT_EQ(servers[0].pid, FakeProcessLauncher::kFirstPid + 1);
  EXPECT_EQ(servers[1].name, "node-2");
  EXPECT_EQ(ready->Find("node-2")->pid, FakeProcessLauncher::kFirstPid + 2);
  EXPECT_EQ(ready->Find("node-2")->status, "running");
  EXPECT_EQ(env->endpoints().at("url"), "fake://127.0.0.1:1");
  EXPECT_EQ(env->Facts().at("nodes"), "2");
  EXPECT_EQ(fake_kind_.probes, 1);

  launcher_.ClearEvents();
  st = env->Destroy();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(launcher_.events(), (Events{"term fake-node-2", "term fake-node-1", "term fake-helper"}));
  EXPECT_EQ(launcher_.stop_graces().at("fake-helper"), kGrace);  // the plan's grace, from the state file
  ExpectNothingLeft(*env);
  EXPECT_TRUE(env->Processes().empty());
  EXPECT_TRUE(env->endpoints().empty());
}

TEST_F(LocalEnvironmentTest, SpawnFailureMidStartTearsDownExactlyWhatStarted) {
  FakeProcessScript fails;
  fails.start = FakeProcessScript::Start::kFailsToSpawn;
  fails.spawn_error = "exec: Permission denied";
  launcher_.Script("fake-node-2", fails);
  auto env = MakeEnvironment();

  Status st = env->Apply(10s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "node-2: spawn fake-node-2: exec: Permission denied");
  EXPECT_EQ(launcher_.events(), (Events{"spawn fake-helper", "spawn fake-node-1", "spawn-failed fake-node-2",
                                        "term fake-node-1", "term fake-helper"}));
  EXPECT_EQ(fake_kind_.probes, 0);
  ExpectNothingLeft(*env);

  launcher_.ClearEvents();
  EXPECT_TRUE(env->Destroy().ok());
  Status again = env->Apply(10s);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.message().find("Apply after a failed Apply"), std::string::npos) << again.ToString();
  EXPECT_TRUE(launcher_.events().empty()) << "nothing is spawned or stopped after the failed Apply";
}

TEST_F(LocalEnvironmentTest, AServerThatExitsDuringStartupIsNamedWithItsLog) {
  FakeProcessScript exits;
  exits.start = FakeProcessScript::Start::kExitsEarly;
  exits.running_checks = 2;
  exits.exit_code = 3;
  exits.log_text = "booting\nFATAL: cannot bind 127.0.0.1:1\n";
  launcher_.Script("fake-node-1", exits);
  fake_kind_.probe = [] { return Unavailable("no answer yet"); };
  auto env = MakeEnvironment();

  Status st = env->Apply(10s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("node-1 (fake) exited with code 3 during startup"), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("FATAL: cannot bind 127.0.0.1:1"), std::string::npos) << st.message();
  EXPECT_EQ(fake_kind_.probes, 2);  // probed while node-1 still ran, then its exit ended the wait
  // node-1 is gone already: only the others are stopped, nodes before the helper.
  EXPECT_EQ(launcher_.events(), (Events{"spawn fake-helper", "spawn fake-node-1", "spawn fake-node-2",
                                        "exit fake-node-1", "term fake-node-2", "term fake-helper"}));
  ExpectNothingLeft(*env);
}

TEST_F(LocalEnvironmentTest, AProbeThatNeverSucceedsHitsTheStartupDeadlineAndTearsDown) {
  fake_kind_.probe = [] { return Unavailable("no PONG yet"); };
  auto env = MakeEnvironment(200ms);

  const auto start = std::chrono::steady_clock::now();
  Status st = env->Apply(10s);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kTimeout) << st.ToString();
  EXPECT_NE(st.message().find("fake not healthy within 0.2 s (startup_timeout): no PONG yet"),
            std::string::npos)
      << st.message();
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 3s);
  EXPECT_GE(fake_kind_.probes, 2);
  EXPECT_EQ(launcher_.events(), (Events{"spawn fake-helper", "spawn fake-node-1", "spawn fake-node-2",
                                        "term fake-node-2", "term fake-node-1", "term fake-helper"}));
  ExpectNothingLeft(*env);
}

// The caller's limit is shorter than startup_timeout: the error says which bound ended the wait.
TEST_F(LocalEnvironmentTest, TheCallersShorterLimitIsNamedWhenItEndsTheWait) {
  fake_kind_.probe = [] { return Unavailable("no PONG yet"); };
  auto env = MakeEnvironment(30s);
  Status st = env->Apply(150ms);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(
      st.message().find("not healthy within 0.15 s (the most the caller allows; startup_timeout is 30 s)"),
      std::string::npos)
      << st.message();
  ExpectNothingLeft(*env);
}

TEST_F(LocalEnvironmentTest, AServerThatIgnoresSigtermIsKilledAfterItsGraceAndTeardownGoesOn) {
  FakeProcessScript stubborn;
  stubborn.ignores_sigterm = true;
  launcher_.Script("fake-node-1", stubborn);
  auto env = MakeEnvironment();
  ASSERT_TRUE(env->Apply(10s).ok());

  launcher_.ClearEvents();
  const auto start = std::chrono::steady_clock::now();
  Status st = env->Destroy();
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(launcher_.events(),
            (Events{"term fake-node-2", "term fake-node-1", "kill fake-node-1", "term fake-helper"}));
  EXPECT_EQ(launcher_.stop_graces().at("fake-node-1"), kGrace);
  EXPECT_GE(took, kGrace);
  ExpectNothingLeft(*env);
}

TEST_F(LocalEnvironmentTest, DestroyTwiceAndTheDestructorAfterwardsAreHarmless) {
  auto env = MakeEnvironment();
  ASSERT_TRUE(env->Apply(10s).ok());
  launcher_.ClearEvents();
  ASSERT_TRUE(env->Destroy().ok());
  EXPECT_EQ(launcher_.events().size(), 3u);
  ASSERT_TRUE(env->Destroy().ok());
  EXPECT_EQ(launcher_.events().size(), 3u) << "the second Destroy stopped something";
  ExpectNothingLeft(*env);
  env.reset();
  EXPECT_EQ(launcher_.events().size(), 3u) << "the destructor stopped something";
}

TEST_F(LocalEnvironmentTest, TheDestructorTearsDownAnEnvironmentNobodyDestroyed) {
  auto env = MakeEnvironment();
  ASSERT_TRUE(env->Apply(10s).ok());
  const std::string work_dir = env->work_dir();
  launcher_.ClearEvents();
  env.reset();
  EXPECT_EQ(launcher_.events(), (Events{"term fake-node-2", "term fake-node-1", "term fake-helper"}));
  EXPECT_EQ(launcher_.running_count(), 0);
  EXPECT_FALSE(std::filesystem::exists(work_dir));
  EXPECT_FALSE(std::filesystem::exists(state_path_));
}

TEST_F(LocalEnvironmentTest, CancelWhileWaitingForHealthTearsDown) {
  std::atomic<bool> cancel{false};
  fake_kind_.probe = [&] {
    if (fake_kind_.probes == 2) cancel = true;
    return Unavailable("starting");
  };
  auto env = MakeEnvironment();
  env->SetCancelFlag(&cancel);
  Status st = env->Apply(10s);
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_EQ(fake_kind_.probes, 2);
  EXPECT_EQ(launcher_.events().back(), "term fake-helper");
  ExpectNothingLeft(*env);
}

// A crash between spawn and the state file's update leaves a process nobody recorded: teardown still
// finds it by the environment id it carries, and leaves another environment's process alone.
TEST_F(LocalEnvironmentTest, TeardownStopsAProcessSpawnedButNeverRecorded) {
  StateStore store(sandbox_.state_dir());
  EnvState state;
  state.id = "life-00abcd";
  state.work_dir = sandbox_.work_root() + "/" + state.id;
  ASSERT_TRUE(store.Save(state).ok());
  auto spawn = [&](const std::string& program, const std::string& id) {
    SpawnRequest request;
    request.argv = {program};
    request.env = {{kEnvIdVariable, id}, {kEnvStateVariable, store.PathFor(id)}};
    return launcher_.Spawn(request);
  };
  ASSERT_TRUE(spawn("fake-stray", state.id).ok());
  ASSERT_TRUE(spawn("fake-other", "other-00abcd").ok());
  launcher_.ClearEvents();
  Status st = TearDownEnvironment(state, store, launcher_, sandbox_.work_root());
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(launcher_.events(), (Events{"term fake-stray"}));
  EXPECT_EQ(launcher_.running_count(), 1);
  EXPECT_FALSE(std::filesystem::exists(store.PathFor(state.id)));
}

}  // namespace
}  // namespace bakeoff
