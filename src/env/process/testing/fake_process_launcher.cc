#include "env/process/testing/fake_process_launcher.h"

#include <fstream>
#include <thread>

namespace bakeoff::testing_support {

void FakeProcessLauncher::Script(const std::string& program, FakeProcessScript script) {
  std::lock_guard<std::mutex> lock(mu_);
  scripts_[program] = std::move(script);
}

void FakeProcessLauncher::OnSpawn(std::function<void(const SpawnRequest&)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  on_spawn_ = std::move(hook);
}

std::vector<std::string> FakeProcessLauncher::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::map<std::string, std::chrono::milliseconds> FakeProcessLauncher::stop_graces() const {
  std::lock_guard<std::mutex> lock(mu_);
  return graces_;
}

std::vector<SpawnRequest> FakeProcessLauncher::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FakeProcessLauncher::running_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& [pid, p] : processes_) n += p.running ? 1 : 0;
  return n;
}

void FakeProcessLauncher::ClearEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  events_.clear();
}

FakeProcessLauncher::FakeProcess* FakeProcessLauncher::FindLocked(const ProcessRef& ref) {
  auto it = processes_.find(ref.pid);
  if (it == processes_.end() || it->second.ref.start_ticks != ref.start_ticks) return nullptr;
  return &it->second;
}

Result<ProcessRef> FakeProcessLauncher::Spawn(const SpawnRequest& request) {
  std::function<void(const SpawnRequest&)> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hook = on_spawn_;
  }
  if (hook) hook(request);
  std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back(request);
  if (request.argv.empty()) return InvalidArgument("spawn: empty argv");
  const std::string& program = request.argv[0];
  FakeProcessScript script;
  if (auto it = scripts_.find(program); it != scripts_.end()) script = it->second;
  if (script.start == FakeProcessScript::Start::kFailsToSpawn) {
    events_.push_back("spawn-failed " + program);
    return IoError("spawn " + program + ": " + script.spawn_error);
  }
  if (!script.log_text.empty() && !request.log_path.empty())
    std::ofstream(request.log_path, std::ios::app) << script.log_text;
  FakeProcess p;
  p.request = request;
  p.script = script;
  p.ref = {next_pid_++, 7};
  processes_[p.ref.pid] = p;
  events_.push_back("spawn " + program);
  return p.ref;
}

bool FakeProcessLauncher::IsRunning(const ProcessRef& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  FakeProcess* p = FindLocked(ref);
  if (p == nullptr || !p->running) return false;
  if (p->script.start == FakeProcessScript::Start::kExitsEarly && ++p->checks > p->script.running_checks) {
    p->running = false;
    p->exit_code = p->script.exit_code;
    events_.push_back("exit " + p->request.argv[0]);
    return false;
  }
  return true;
}

Result<StopOutcome> FakeProcessLauncher::Stop(const ProcessRef& ref, std::chrono::milliseconds grace,
                                              std::chrono::milliseconds /*kill_wait*/) {
  StopOutcome outcome;
  std::string program;
  bool ignores = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    FakeProcess* p = FindLocked(ref);
    if (p == nullptr || !p->running) return outcome;
    outcome.was_running = true;
    program = p->request.argv[0];
    ignores = p->script.ignores_sigterm;
    graces_[program] = grace;
    events_.push_back("term " + program);
    if (!ignores) {
      p->running = false;
      p->exit_code = 128 + 15;
      return outcome;
    }
  }
  std::this_thread::sleep_for(grace);  // SIGTERM is ignored: the grace runs out
  std::lock_guard<std::mutex> lock(mu_);
  FakeProcess* p = FindLocked(ref);
  events_.push_back("kill " + program);
  outcome.killed = true;
  if (p != nullptr) {
    p->running = false;
    p->exit_code = 128 + 9;
  }
  return outcome;
}

Result<int> FakeProcessLauncher::Wait(const ProcessRef& ref, std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    FakeProcess* p = FindLocked(ref);
    if (p == nullptr || p->reaped) return Internal("wait " + std::to_string(ref.pid) + ": not a child");
    if (!p->running || p->script.start == FakeProcessScript::Start::kExitsEarly) {
      if (p->running) events_.push_back("exit " + p->request.argv[0]);
      p->running = false;
      if (p->exit_code == 0) p->exit_code = p->script.exit_code;
      p->reaped = true;
      return p->exit_code;
    }
  }
  (void)Stop(ref, std::chrono::milliseconds(0), std::chrono::milliseconds(0));
  return Timeout("process " + std::to_string(ref.pid) + " did not finish within " +
                 std::to_string(timeout.count()) + " ms");
}

std::optional<std::string> FakeProcessLauncher::EnvironmentVariable(const ProcessRef& ref,
                                                                    const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  FakeProcess* p = FindLocked(ref);
  if (p == nullptr || !p->running) return std::nullopt;
  auto it = p->request.env.find(name);
  if (it == p->request.env.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> FakeProcessLauncher::WorkingDirectory(const ProcessRef& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  FakeProcess* p = FindLocked(ref);
  if (p == nullptr || !p->running || p->request.working_dir.empty()) return std::nullopt;
  return p->request.working_dir;
}

std::vector<ProcessRef> FakeProcessLauncher::LiveProcesses() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProcessRef> live;
  for (const auto& [pid, p] : processes_) {
    if (p.running) live.push_back(p.ref);
  }
  return live;
}

}  // namespace bakeoff::testing_support
