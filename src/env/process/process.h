// The OS seam for server processes: spawn with an argv array (never a shell), identify a process by PID
// plus its start time (so a reused PID is never mistaken for ours), stop with SIGTERM -> SIGKILL.
//
// Lifecycle code talks to the `ProcessLauncher` interface so that tests can substitute it (a fake:
// env/process/testing/fake_process_launcher.h); programs use OsProcessLauncher(). All functions are
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff {

// A process as bakeoff knows it: the PID alone is ambiguous once the process exited, so the start time
// (field 22 of /proc/PID/stat, clock ticks since boot) goes with it.
struct ProcessRef {
  int pid = 0;
  uint64_t start_ticks = 0;
  bool valid() const { return pid > 0; }
};

struct SpawnRequest {
  std::vector<std::string> argv;           // argv[0] is an absolute path or found on PATH
  std::map<std::string, std::string> env;  // added to a minimal base (PATH, LANG); nothing else leaks
  std::string working_dir;                 // must exist
  std::string log_path;                    // stdout and stderr, appended; stdin is /dev/null
  std::vector<int> cpus;                   // sched_setaffinity in the child; empty = inherit
  bool new_session = true;                 // setsid: terminal Ctrl-C reaches bakeoff, not the server
};

struct StopOutcome {
  bool was_running = false;  // the process (PID + start time) existed when Stop was called
  bool killed = false;       // SIGTERM was not enough within the grace period
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Starts the process. Fails (with errno text) when the program cannot be executed.
  virtual Result<ProcessRef> Spawn(const SpawnRequest& request) = 0;
  // Whether `ref` still names a live (non-zombie) process with the same start time.
  virtual bool IsRunning(const ProcessRef& ref) = 0;
  // SIGTERM, wait up to `grace`, then SIGKILL and wait up to `kill_wait`; reaps it when it is our child.
  // A process that is gone (or whose PID was reused) is left alone.
  virtual Result<StopOutcome> Stop(const ProcessRef& ref, std::chrono::milliseconds grace,
                                   std::chrono::milliseconds kill_wait) = 0;
  // Waits for our child to exit; its exit code, or 128+signal. Timeout: the process is killed.
  virtual Result<int> Wait(const ProcessRef& ref, std::chrono::milliseconds timeout) = 0;

  // What teardown and gc read to prove that a process is bakeoff's (env/local/env_admin.h), all for a
  // process that `IsRunning`; nullopt when it is gone or the value cannot be read.
  // Variable `name` of its environment.
  virtual std::optional<std::string> EnvironmentVariable(const ProcessRef& ref, const std::string& name) = 0;
  // Its working directory.
  virtual std::optional<std::string> WorkingDirectory(const ProcessRef& ref) = 0;
  // Every live (not zombie) process but this one.
  virtual std::vector<ProcessRef> LiveProcesses() = 0;
};

// The real operating system.
ProcessLauncher& OsProcessLauncher();

// Start time of `pid` in clock ticks since boot; nullopt when there is no such process.
std::optional<uint64_t> ReadProcessStartTicks(int pid);
// The one-letter state of /proc/PID/stat ('R', 'S', 'Z', ...); 0 when there is no such process.
char ReadProcessState(int pid);
// This process.
ProcessRef SelfProcess();
// The value of variable `name` in /proc/PID/environ, if readable and set.
std::optional<std::string> ReadProcessEnvVar(int pid, const std::string& name);
// Every PID in /proc.
std::vector<int> ListPids();

// Runs a program to completion (e.g. `redis-server --version`), output captured in `log_path`;
// returns the exit code and the output.
struct CommandOutput {
  int exit_code = -1;
  std::string output;
};
Result<CommandOutput> RunToCompletion(ProcessLauncher& launcher, const SpawnRequest& request,
                                      std::chrono::milliseconds timeout);

}  // namespace bakeoff
