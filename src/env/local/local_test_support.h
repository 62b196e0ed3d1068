// Test support for the local provider: a private state dir and work root per test (removed at the end,
// with every process found there), bring-up with timing, and the "nothing left" checks.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "env/local/env_admin.h"
#include "env/local/local_environment.h"
#include "env/process/ports.h"

namespace bakeoff::testing_support {

// A private BAKEOFF_STATE_DIR and BAKEOFF_WORK_DIR; on destruction, garbage-collects whatever a failed
// test left (so a failing test never leaks servers) and removes both.
class Sandbox {
 public:
  Sandbox() {
    char pattern[] = "/tmp/bakeoff-test-XXXXXX";
    root_ = mkdtemp(pattern);
    setenv("BAKEOFF_STATE_DIR", state_dir().c_str(), 1);
    setenv("BAKEOFF_WORK_DIR", work_root().c_str(), 1);
  }
  ~Sandbox() {
    StateStore store(state_dir());
    for (const std::string& id : store.ListIds()) {
      Result<EnvState> s = store.Load(id);
      if (s.ok()) (void)TearDownEnvironment(*s, store, OsProcessLauncher(), work_root());
    }
    (void)CollectGarbage(store, OsProcessLauncher(), work_root());
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string state_dir() const { return root_ + "/state"; }
  std::string work_root() const { return root_ + "/work"; }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

struct Bringup {
  std::unique_ptr<LocalEnvironment> env;
  Status status;
  double up_seconds = 0;
  std::vector<ResourceState> resources;  // as recorded when healthy
  std::string state_path;

  static Bringup Start(const Sandbox& sandbox, LocalSettings settings) {
    Bringup b;
    LocalEnvironmentOptions options;
    options.system_name = settings.server;
    if (settings.server == "rabbitmq") settings.startup_timeout = std::chrono::seconds(90);
    options.settings = settings;
    options.state_dir = sandbox.state_dir();
    options.work_root = sandbox.work_root();
    b.env = std::make_unique<LocalEnvironment>(options);
    b.state_path = StateStore(sandbox.state_dir()).PathFor(b.env->id());
    const auto start = std::chrono::steady_clock::now();
    b.status = b.env->Apply(std::chrono::seconds(120));
    b.up_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (b.status.ok()) {
      Result<EnvState> s = StateStore(sandbox.state_dir()).Load(b.env->id());
      if (s.ok()) b.resources = s->resources;
    }
    return b;
  }
};

// Destroys (unless done) and checks that no recorded process runs, no recorded port accepts
// connections, and neither the work directory nor the state file exists.
inline void ExpectNothingLeft(const Sandbox& sandbox, Bringup& up, bool already_destroyed = false) {
  if (!already_destroyed) {
    EXPECT_FALSE(up.resources.empty());
    const auto start = std::chrono::steady_clock::now();
    Status st = up.env->Destroy();
    const double down = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s down in %.3f s\n", up.env->id().c_str(), down);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(up.env->Destroy().ok());  // idempotent
  }
  for (const ResourceState& r : up.resources) {
    if (r.kind != "process") continue;
    EXPECT_GT(r.pid, 0) << r.name;
    EXPECT_FALSE(OsProcessLauncher().IsRunning(r.process())) << r.name << " pid " << r.pid << " still runs";
    for (int port : r.ports)
      EXPECT_FALSE(LoopbackPortAccepts(port)) << r.name << " port " << port << " still open";
  }
  EXPECT_FALSE(std::filesystem::exists(up.env->work_dir())) << up.env->work_dir();
  EXPECT_FALSE(std::filesystem::exists(up.state_path)) << up.state_path;
  (void)sandbox;
}

// The sandbox holds no work directory and no state file.
inline void ExpectSandboxEmpty(const Sandbox& sandbox) {
  std::error_code ec;
  EXPECT_TRUE(!std::filesystem::exists(sandbox.work_root()) ||
              std::filesystem::is_empty(sandbox.work_root(), ec));
  EXPECT_TRUE(StateStore(sandbox.state_dir()).ListIds().empty());
}

}  // namespace bakeoff::testing_support
