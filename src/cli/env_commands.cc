#include "cli/env_commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/exit_codes.h"
#include "env/local/env_admin.h"
#include "env/process/files.h"
#include "env/provider.h"
#include "run/registry_schemas.h"

namespace bakeoff {
namespace {

constexpr std::chrono::seconds kUpTimeout{300};  // each environment's own startup_timeout applies first

std::atomic<bool> g_env_stop{false};

extern "C" void OnEnvStopSignal(int) {
  g_env_stop.store(true);
}

void InstallEnvStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnEnvStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The experiment's systems, or only `--system NAME`; nullopt (after printing why) on error.
std::optional<std::vector<SystemSpec>> SelectSystems(const EnvArgs& args) {
  ParseOutcome parsed = LoadExperiment(args.file);
  for (const Diagnostic& d : parsed.diagnostics) std::cerr << d.ToString() << "\n";
  if (!parsed.ok()) return std::nullopt;
  std::vector<SystemSpec> systems;
  for (const SystemSpec& s : parsed.experiment.systems) {
    if (args.system.empty() || s.name == args.system) systems.push_back(s);
  }
  if (systems.empty()) {
    std::cerr << "bakeoff: no system named `" << args.system << "` in " << args.file << "\n";
    return std::nullopt;
  }
  return systems;
}

std::string Join(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

}  // namespace

int EnvPlanCommand(const EnvArgs& args) {
  auto systems = SelectSystems(args);
  if (!systems) return kExitBadExperiment;
  for (const SystemSpec& system : *systems) {
    Provider* provider = FindProvider(system.environment.provider);
    if (provider == nullptr) return kExitBadExperiment;
    Result<std::unique_ptr<Environment>> env = provider->Create(system);
    if (!env.ok()) {
      std::cerr << "bakeoff: " << system.name << ": " << env.status().message() << "\n";
      return kExitBadExperiment;
    }
    std::cout << system.name << " (" << provider->name() << "):\n";
    for (const std::string& line : (*env)->Plan()) std::cout << "  + " << line << "\n";
  }
  return kExitOk;
}

int EnvUpCommand(const EnvArgs& args) {
  auto systems = SelectSystems(args);
  if (!systems) return kExitBadExperiment;
  InstallEnvStopHandlers();
  std::vector<std::unique_ptr<Environment>> up;  // destroyed on failure, detached on success
  auto tear_down_all = [&up]() {
    for (auto& env : up) {
      if (Status st = env->Destroy(); !st.ok()) std::cerr << "bakeoff: teardown: " << st.ToString() << "\n";
    }
  };
  for (const SystemSpec& system : *systems) {
    Provider* provider = FindProvider(system.environment.provider);
    if (provider == nullptr) return kExitBadExperiment;
    if (provider->name() != "local") {
      std::cerr << "bakeoff: " << system.name << ": provider `" << provider->name()
                << "` has nothing to leave running (only `local` environments outlive bakeoff); skipped\n";
      continue;
    }
    Result<std::unique_ptr<Environment>> created = provider->Create(system);
    if (!created.ok()) {
      std::cerr << "bakeoff: " << system.name << ": " << created.status().message() << "\n";
      tear_down_all();
      return kExitBadExperiment;
    }
    std::unique_ptr<Environment> env = std::move(created).value();
    env->SetCancelFlag(&g_env_stop);
    const auto start = std::chrono::steady_clock::now();
    std::cerr << "bakeoff: " << system.name << ": starting\n";
    Status st = env->Apply(kUpTimeout);
    up.push_back(std::move(env));
    if (!st.ok() || g_env_stop.load()) {
      if (!st.ok()) std::cerr << "bakeoff: " << system.name << ": " << st.ToString() << "\n";
      tear_down_all();
      return g_env_stop.load() ? kExitInterrupted : kExitRunFailed;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Environment& e = *up.back();
    const auto facts = e.Facts();
    const auto id = facts.find("environment_id");
    std::printf("%s: %s up in %.2f s\n", system.name.c_str(), id == facts.end() ? "?" : id->second.c_str(),
                seconds);
    for (const auto& [key, value] : e.endpoints()) std::printf("  %s = %s\n", key.c_str(), value.c_str());
    for (const ServerProcess& p : e.Processes()) std::printf("  process %s pid %d\n", p.name.c_str(), p.pid);
    std::fflush(stdout);
  }
  if (args.foreground) {
    std::cerr << "bakeoff: environments up; Ctrl-C or SIGTERM tears them down\n";
    while (!g_env_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    tear_down_all();
    return kExitOk;
  }
  for (auto& env : up) {
    const std::string id = env->Detach();
    if (!id.empty()) std::printf("left up: %s (`bakeoff env down %s` removes it)\n", id.c_str(), id.c_str());
  }
  return kExitOk;
}

int EnvStatusCommand() {
  StateStore store(EnvironmentStateDir());
  std::vector<EnvStatusRow> rows = ListEnvironments(store, OsProcessLauncher());
  if (rows.empty()) {
    std::cout << "no environments recorded in " << store.dir() << "\n";
    return kExitOk;
  }
  std::printf("%-28s %-14s %-10s %-10s %-9s %-28s %s\n", "ID", "SYSTEM", "KIND", "STATUS", "PROCS", "PORTS",
              "OWNER");
  for (const EnvStatusRow& row : rows) {
    std::string ports;
    for (const ResourceState& r : row.state.resources) {
      if (!r.ports.empty()) ports += (ports.empty() ? "" : ",") + Join(r.ports);
    }
    const std::string owner = std::to_string(row.state.owner_pid) + (row.owner_alive ? " alive" : " gone") +
                              (row.state.detached ? ", detached" : "");
    const std::string procs =
        std::to_string(row.processes_alive) + "/" + std::to_string(row.processes_recorded) + " up";
    std::printf("%-28s %-14s %-10s %-10s %-9s %-28s %s\n", row.state.id.c_str(), row.state.system.c_str(),
                row.state.kind.c_str(), row.state.status.c_str(), procs.c_str(), ports.c_str(),
                owner.c_str());
  }
  return kExitOk;
}

int EnvDownCommand(const EnvArgs& args) {
  StateStore store(EnvironmentStateDir());
  std::vector<std::string> ids = args.all ? store.ListIds() : std::vector<std::string>{args.id};
  if (!args.all && args.id.empty()) {
    std::cerr << "bakeoff: env down: give an environment id (`bakeoff env status` lists them) or --all\n";
    return kExitBadExperiment;
  }
  for (const std::string& root : {store.dir(), EnvironmentWorkRoot()}) {
    if (Status st = CheckPrivateDirectory(root); !st.ok()) {
      std::cerr << "bakeoff: env down: " << st.message() << "\n";
      return kExitBadExperiment;
    }
  }
  int code = kExitOk;
  for (const std::string& id : ids) {
    Result<EnvState> state = store.Load(id);
    if (!state.ok()) {
      std::cerr << "bakeoff: " << state.status().message() << "\n";
      code = kExitBadExperiment;
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    Status st = TearDownEnvironment(*state, store, OsProcessLauncher(), EnvironmentWorkRoot());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (st.ok()) {
      std::printf("%s: down in %.2f s\n", id.c_str(), seconds);
    } else {
      std::cerr << "bakeoff: " << id << ": " << st.ToString() << "\n";
      code = kExitRunFailed;
    }
  }
  return code;
}

int EnvGcCommand() {
  StateStore store(EnvironmentStateDir());
  GcReport report = CollectGarbage(store, OsProcessLauncher(), EnvironmentWorkRoot());
  for (const std::string& id : report.removed) std::printf("removed %s (its owner is gone)\n", id.c_str());
  for (const std::string& line : report.kept) std::printf("kept %s\n", line.c_str());
  for (const std::string& line : report.drift) std::printf("drift %s\n", line.c_str());
  for (const std::string& line : report.errors) std::fprintf(stderr, "bakeoff: gc: %s\n", line.c_str());
  if (report.removed.empty() && report.drift.empty() && report.errors.empty())
    std::printf("nothing to collect\n");
  return report.errors.empty() ? kExitOk : kExitRunFailed;
}

}  // namespace bakeoff
