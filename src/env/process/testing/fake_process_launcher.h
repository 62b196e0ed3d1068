// A ProcessLauncher for tests of lifecycle logic: it starts nothing, records every request, and plays
// the process a test scripted for it (starts fine, cannot be spawned, exits during startup, ignores
// SIGTERM). Real servers cannot be told to misbehave on cue; this can. Real-server tests keep using
// OsProcessLauncher().
//
// Its PIDs start above Linux's largest pid_max (2^22), so they can never name a real process, and code
// that reaches the OS with one (kill, /proc) finds nothing. A fake process carries the environment
// variables and working directory of its SpawnRequest, which is what env/local's ownership checks read.
// Thread-safe: every call takes one mutex; the spawn hook runs outside it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "env/process/process.h"

namespace bakeoff::testing_support {

struct FakeProcessScript {
  enum class Start {
    kRuns,          // runs until stopped
    kFailsToSpawn,  // Spawn returns `spawn_error`
    kExitsEarly,    // IsRunning says yes `running_checks` times, then the process has exited
  };
  Start start = Start::kRuns;
  std::string spawn_error = "exec: No such file or directory";
  int running_checks = 0;        // kExitsEarly
  int exit_code = 1;             // kExitsEarly: what Wait reports
  bool ignores_sigterm = false;  // Stop waits out the grace, then SIGKILLs (StopOutcome::killed)
  std::string log_text;          // written to the request's log_path at spawn, as the server would
};

class FakeProcessLauncher final : public ProcessLauncher {
 public:
  // The script for processes whose argv[0] is `program`; others run fine.
  void Script(const std::string& program, FakeProcessScript script);
  // Called at every Spawn, before it succeeds or fails (e.g. to read the state file at that moment).
  void OnSpawn(std::function<void(const SpawnRequest&)> hook);

  // What happened, one line each, in order: "spawn P", "spawn-failed P", "term P", "kill P", "exit P"
  // (P = argv[0]); Stop of a process that is not running adds nothing.
  std::vector<std::string> events() const;
  // The grace Stop was given for each program, last call wins.
  std::map<std::string, std::chrono::milliseconds> stop_graces() const;
  std::vector<SpawnRequest> requests() const;  // every Spawn call, also the failed ones
  int running_count() const;
  void ClearEvents();

  Result<ProcessRef> Spawn(const SpawnRequest& request) override;
  bool IsRunning(const ProcessRef& ref) override;
  Result<StopOutcome> Stop(const ProcessRef& ref, std::chrono::milliseconds grace,
                           std::chrono::milliseconds kill_wait) override;
  Result<int> Wait(const ProcessRef& ref, std::chrono::milliseconds timeout) override;
  std::optional<std::string> EnvironmentVariable(const ProcessRef& ref, const std::string& name) override;
  std::optional<std::string> WorkingDirectory(const ProcessRef& ref) override;
  std::vector<ProcessRef> LiveProcesses() override;

  static constexpr int kFirstPid = 5'000'000;

 private:
  struct FakeProcess {
    SpawnRequest request;
    FakeProcessScript script;
    ProcessRef ref;
    bool running = true;
    int checks = 0;  // IsRunning calls so far
    int exit_code = 0;
    bool reaped = false;
  };
  FakeProcess* FindLocked(const ProcessRef& ref);

  mutable std::mutex mu_;
  std::map<std::string, FakeProcessScript> scripts_;
  std::function<void(const SpawnRequest&)> on_spawn_;
  std::map<int, FakeProcess> processes_;  // by pid
  std::vector<SpawnRequest> requests_;
  std::vector<std::string> events_;
  std::map<std::string, std::chrono::milliseconds> graces_;
  int next_pid_ = kFirstPid;
};

}  // namespace bakeoff::testing_support
