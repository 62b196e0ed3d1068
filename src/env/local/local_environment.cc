#include "env/local/local_environment.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "env/local/env_admin.h"
#include "env/process/files.h"

namespace bakeoff {
namespace {

constexpr int kLogLinesInErrors = 15;
constexpr std::chrono::milliseconds kProbeInterval{10};
constexpr std::chrono::milliseconds kProbeAttemptMax{1000};

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "0.2 s", "30 s", "90 s".
std::string SecondsText(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

// How our child that is no longer running ended (reaping it).
std::string ExitDescription(ProcessLauncher& launcher, const ProcessRef& ref) {
  Result<int> code = launcher.Wait(ref, std::chrono::milliseconds(0));
  if (!code.ok()) return "exited";
  if (*code > 128) return "was killed by signal " + std::to_string(*code - 128);
  return "exited with code " + std::to_string(*code);
}

}  // namespace

std::string NewEnvironmentId(const std::string& system_name) {
  std::string base;
  for (char c : system_name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    base += ok ? c : '-';
  }
  if (base.empty()) base = "env";
  if (base.size() > 40) base.resize(40);
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(UnixMs()));
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06llx", static_cast<unsigned long long>(rng() & 0xffffff));
  return base + "-" + suffix;
}

LocalEnvironment::LocalEnvironment(LocalEnvironmentOptions options)
    : options_(std::move(options)),
      kind_(options_.kind != nullptr ? options_.kind : FindServerKind(options_.settings.server)),
      id_(NewEnvironmentId(options_.system_name)),
      store_(options_.state_dir.empty() ? EnvironmentStateDir() : options_.state_dir) {
  if (options_.launcher == nullptr) options_.launcher = &OsProcessLauncher();
  if (options_.work_root.empty()) options_.work_root = EnvironmentWorkRoot();
}

LocalEnvironment::~LocalEnvironment() {
  (void)Destroy();
}

std::string LocalEnvironment::work_dir() const {
  return options_.work_root + "/" + id_;
}

std::vector<std::string> LocalEnvironment::Plan() const {
  std::vector<std::string> lines;
  if (kind_ != nullptr) lines = kind_->plan(options_.settings);
  lines.push_back("work directory " + work_dir() + " (configs, data, logs; removed on destroy)");
  lines.push_back("state file " + store_.PathFor(id_));
  if (!options_.settings.cpus.empty())
    lines.push_back("servers pinned to CPUs " + options_.settings.cpus_text);
  return lines;
}

Status LocalEnvironment::SaveLocked() {
  return store_.Save(state_);
}

Status LocalEnvironment::Apply(std::chrono::nanoseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failed_) return Internal("local environment " + id_ + ": Apply after a failed Apply");
  if (recorded_) return Status::Ok();
  const auto limit = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
                              options_.settings.startup_timeout);
  Status st = ApplyLocked(limit);
  if (!st.ok()) {
    failed_ = true;
    Status down = recorded_ ? TearDownEnvironment(state_, store_, *options_.launcher, options_.work_root)
                            : Status::Ok();
    if (down.ok()) recorded_ = false;
    servers_.clear();
    if (!down.ok()) return Status(st.code(), st.message() + " (and teardown failed: " + down.message() + ")");
  }
  return st;
}

Status LocalEnvironment::ApplyLocked(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (kind_ == nullptr) return InvalidArgument("local: unknown server `" + options_.settings.server + "`");
  const ProcessRef owner = SelfProcess();
  state_.id = id_;
  state_.system = options_.system_name;
  state_.kind = options_.settings.server;
  state_.owner_pid = owner.pid;
  state_.owner_start_ticks = owner.start_ticks;
  state_.work_dir = work_dir();
  state_.status = "applying";
  state_.created_unix_ms = UnixMs();
  state_.resources.push_back(
      {.kind = "directory", .name = "work", .directories = {work_dir()}, .status = "planned"});
  BAKEOFF_RETURN_IF_ERROR(SaveLocked());
  recorded_ = true;

  BAKEOFF_RETURN_IF_ERROR(EnsurePrivateDirectory(options_.work_root));
  BAKEOFF_RETURN_IF_ERROR(MakeDirectories(work_dir()));
  BAKEOFF_RETURN_IF_ERROR(WriteTextFile(work_dir() + "/" + kWorkDirMarker, store_.PathFor(id_)));
  state_.resources.back().status = "created";
  BAKEOFF_RETURN_IF_ERROR(SaveLocked());

  LayoutContext ctx;
  ctx.settings = &options_.settings;
  ctx.env_id = id_;
  ctx.work_dir = work_dir();
  ctx.launcher = options_.launcher;
  Result<ServerLayout> layout = kind_->layout(ctx);
  if (!layout.ok()) return layout.status();
  for (const auto& [path, content] : layout->files) {
    const bool owner_only = std::count(layout->private_files.begin(), layout->private_files.end(), path) != 0;
    BAKEOFF_RETURN_IF_ERROR(MakeDirectories(std::filesystem::path(path).parent_path().string()));
    BAKEOFF_RETURN_IF_ERROR(WriteTextFile(path, content, owner_only ? 0400 : 0644));
  }
  for (const ProcessPlan& p : layout->helpers) BAKEOFF_RETURN_IF_ERROR(SpawnRecorded(p));
  for (const ProcessPlan& p : layout->nodes) BAKEOFF_RETURN_IF_ERROR(SpawnRecorded(p));
  BAKEOFF_RETURN_IF_ERROR(WaitHealthy(*layout, deadline, timeout));

  state_.status = "ready";
  state_.endpoints = layout->endpoints;
  BAKEOFF_RETURN_IF_ERROR(SaveLocked());
  facts_ = layout->facts;
  facts_["nodes"] = std::to_string(layout->nodes.size());
  facts_["cpus"] = options_.settings.cpus.empty() ? "unpinned" : options_.settings.cpus_text;
  facts_["environment_id"] = id_;
  {
    char up[32];  // apply -> healthy, the servers' boot time as bakeoff sees it
    std::snprintf(
        up, sizeof(up), "%.2f",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - (deadline - timeout)).count());
    facts_["startup_seconds"] = up;
  }
  for (const ProcessPlan& p : layout->nodes) {
    const ResourceState* r = state_.Find(p.name);
    servers_.push_back({p.name, r != nullptr ? r->pid : 0});
  }
  return Status::Ok();
}

Status LocalEnvironment::SpawnRecorded(const ProcessPlan& plan) {
  ResourceState r;
  r.kind = "process";
  r.name = plan.name;
  r.ports = plan.ports;
  r.directories = {plan.dir};
  r.log = plan.spawn.log_path;
  r.status = "planned";
  r.stop_grace_ms = plan.stop_grace.count();
  state_.resources.push_back(r);
  BAKEOFF_RETURN_IF_ERROR(SaveLocked());  // recorded before it exists

  SpawnRequest spawn = plan.spawn;
  spawn.env[kEnvIdVariable] = id_;
  spawn.env[kEnvStateVariable] = store_.PathFor(id_);
  BAKEOFF_RETURN_IF_ERROR(MakeDirectories(plan.dir));
  Result<ProcessRef> ref = options_.launcher->Spawn(spawn);
  if (!ref.ok()) return Status(ref.status().code(), plan.name + ": " + ref.status().message());
  ResourceState* recorded = state_.Find(plan.name);
  recorded->pid = ref->pid;
  recorded->pid_start_ticks = ref->start_ticks;
  recorded->status = "running";
  return SaveLocked();
}

Status LocalEnvironment::WaitHealthy(const ServerLayout& layout,
                                     std::chrono::steady_clock::time_point deadline,
                                     std::chrono::milliseconds limit) {
  Status last = Unavailable("not probed yet");
  while (true) {
    for (const ResourceState& r : state_.resources) {
      if (r.kind != "process" || options_.launcher->IsRunning(r.process())) continue;
      const std::string how = ExitDescription(*options_.launcher, r.process());
      return Unavailable(r.name + " (" + options_.settings.server + ") " + how +
                         " during startup; last lines of " + r.log + ":\n" +
                         LastLines(r.log, kLogLinesInErrors));
    }
    if (CancelRequested()) {
      return Cancelled(options_.settings.server + ": interrupted while waiting for the server to be healthy");
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    last = layout.probe(std::min(left, kProbeAttemptMax));
    if (last.ok()) return Status::Ok();
    std::this_thread::sleep_for(kProbeInterval);
  }
  std::string logs;
  for (const ResourceState& r : state_.resources) {
    if (r.kind == "process") logs += "\nlast lines of " + r.log + ":\n" + LastLines(r.log, kLogLinesInErrors);
  }
  const std::chrono::milliseconds startup = options_.settings.startup_timeout;
  const std::string bound = limit < startup
                                ? SecondsText(limit) + " (the most the caller allows; startup_timeout is " +
                                      SecondsText(startup) + ")"
                                : SecondsText(startup) + " (startup_timeout)";
  return Timeout(options_.settings.server + " not healthy within " + bound + ": " + last.message() + logs);
}

Status LocalEnvironment::Destroy() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!recorded_ || detached_) return Status::Ok();
  servers_.clear();
  facts_.clear();
  Status st = TearDownEnvironment(state_, store_, *options_.launcher, options_.work_root);
  if (st.ok()) recorded_ = false;
  return st;
}

Endpoints LocalEnvironment::endpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_.status != "ready") return {};
  return state_.endpoints;
}

std::map<std::string, std::string> LocalEnvironment::Facts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return facts_;
}

std::vector<ServerProcess> LocalEnvironment::Processes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return servers_;
}

std::string LocalEnvironment::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!recorded_ || state_.status != "ready") return {};
  state_.detached = true;
  if (!SaveLocked().ok()) return {};
  detached_ = true;
  return id_;
}

}  // namespace bakeoff
