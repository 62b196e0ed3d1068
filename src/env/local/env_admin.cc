#include "env/local/env_admin.h"

#include <filesystem>
#include <optional>

#include "env/process/files.h"

namespace bakeoff {
namespace fs = std::filesystem;
namespace {

constexpr std::chrono::milliseconds kKillWait{5000};

// The environment `pid` belongs to when its state file lives in `store_dir`: from BAKEOFF_ENV_ID and
// BAKEOFF_ENV_STATE in its environment, or (servers such as redis overwrite their environment block
// to set a process title) from the marker file of the work directory its cwd is in.
std::optional<std::string> ProcessEnvId(ProcessLauncher& launcher, const ProcessRef& ref,
                                        const std::string& store_dir) {
  std::optional<std::string> id = launcher.EnvironmentVariable(ref, kEnvIdVariable);
  std::optional<std::string> state = launcher.EnvironmentVariable(ref, kEnvStateVariable);
  if (id && state) {
    if (fs::path(*state).parent_path() == fs::path(store_dir)) return id;
    return std::nullopt;
  }
  std::optional<std::string> cwd = launcher.WorkingDirectory(ref);
  if (!cwd) return std::nullopt;
  fs::path dir(*cwd);
  for (int level = 0; level < 4 && !dir.empty() && dir != dir.root_path(); ++level, dir = dir.parent_path()) {
    Result<std::string> marker = ReadTextFile((dir / kWorkDirMarker).string());
    if (!marker.ok()) continue;
    const fs::path state_file(*marker);
    if (state_file.parent_path() != fs::path(store_dir) || state_file.stem() != dir.filename())
      return std::nullopt;
    return dir.filename().string();
  }
  return std::nullopt;
}

struct StrayProcess {
  ProcessRef process;
  std::string env_id;
};

// Live processes that belong to an environment of `store_dir`.
std::vector<StrayProcess> ProcessesOfStore(ProcessLauncher& launcher, const std::string& store_dir) {
  std::vector<StrayProcess> found;
  for (const ProcessRef& ref : launcher.LiveProcesses()) {
    std::optional<std::string> id = ProcessEnvId(launcher, ref, store_dir);
    if (id) found.push_back({ref, *id});
  }
  return found;
}

Status StopRecorded(ResourceState& r, const std::string& env_id, const std::string& store_dir,
                    ProcessLauncher& launcher) {
  if (r.kind != "process" || r.pid <= 0 || r.status == "stopped") return Status::Ok();
  if (!ProcessBelongsTo(launcher, r.process(), env_id, store_dir)) {
    r.status = "stopped";  // gone already, or the PID now names someone else's process
    return Status::Ok();
  }
  Result<StopOutcome> stopped =
      launcher.Stop(r.process(), std::chrono::milliseconds(r.stop_grace_ms), kKillWait);
  if (!stopped.ok()) return Status(stopped.status().code(), r.name + ": " + stopped.status().message());
  r.status = "stopped";
  return Status::Ok();
}

// Removes the work directory `dir` of environment `id` if it is provably bakeoff's (see the header).
Status RemoveWorkDirectory(const std::string& dir, const std::string& id, const StateStore& store,
                           const std::string& work_root) {
  const fs::path expected = fs::path(work_root) / id;
  std::error_code ec;
  if (!IsValidEnvId(id) || fs::weakly_canonical(dir, ec) != fs::weakly_canonical(expected, ec) ||
      !IsStrictlyInside(dir, work_root)) {
    return InvalidArgument("refusing to remove " + dir + ": not the work directory " + expected.string() +
                           " of environment " + id);
  }
  const fs::file_status st = fs::symlink_status(dir, ec);
  if (st.type() == fs::file_type::not_found) return Status::Ok();
  if (st.type() != fs::file_type::directory)
    return InvalidArgument("refusing to remove " + dir + ": not a directory");
  const fs::path marker = fs::path(dir) / kWorkDirMarker;
  if (fs::symlink_status(marker, ec).type() != fs::file_type::regular) {
    if (fs::is_empty(dir, ec) && !ec) {
      fs::remove(dir, ec);  // rmdir: nothing in it to lose
      return ec ? IoError("cannot remove " + dir + ": " + ec.message()) : Status::Ok();
    }
    return InvalidArgument("refusing to remove " + dir + ": it has no " + kWorkDirMarker +
                           " marker, so bakeoff did not create it");
  }
  Result<std::string> recorded = ReadTextFile(marker.string());
  if (!recorded.ok() || *recorded != store.PathFor(id))
    return InvalidArgument("refusing to remove " + dir + ": its marker does not name " + store.PathFor(id));
  return RemoveTreeUnder(dir, work_root);
}

}  // namespace

bool ProcessBelongsTo(ProcessLauncher& launcher, const ProcessRef& ref, const std::string& env_id,
                      const std::string& store_dir) {
  if (!launcher.IsRunning(ref)) return false;
  std::optional<std::string> id = ProcessEnvId(launcher, ref, store_dir);
  return id && *id == env_id;
}

Status TearDownEnvironment(EnvState& state, const StateStore& store, ProcessLauncher& launcher,
                           const std::string& work_root) {
  BAKEOFF_RETURN_IF_ERROR(CheckEnvId(state.id));
  Status first_error;
  auto note = [&first_error](Status st) {
    if (!st.ok() && first_error.ok()) first_error = std::move(st);
  };
  state.status = "destroying";
  note(store.Save(state));
  // Servers were recorded after their helpers: stop in reverse order.
  for (auto it = state.resources.rbegin(); it != state.resources.rend(); ++it) {
    if (it->kind != "process") continue;
    note(StopRecorded(*it, state.id, store.dir(), launcher));
    note(store.Save(state));
  }
  // A process spawned but never recorded (a crash between spawn and save) still carries the id.
  for (const StrayProcess& stray : ProcessesOfStore(launcher, store.dir())) {
    if (stray.env_id != state.id) continue;
    (void)launcher.Stop(stray.process, std::chrono::milliseconds(2000), kKillWait);
  }
  for (ResourceState& r : state.resources) {
    if (r.kind != "directory" || r.status == "removed") continue;
    bool all_removed = true;
    for (const std::string& dir : r.directories) {
      // A forged or corrupt state file must not aim the removal anywhere else.
      Status st = RemoveWorkDirectory(dir, state.id, store, work_root);
      if (!st.ok()) all_removed = false;
      note(st);
    }
    if (all_removed) r.status = "removed";
  }
  if (!first_error.ok()) {
    note(store.Save(state));
    return first_error;
  }
  return store.Remove(state.id);
}

std::vector<EnvStatusRow> ListEnvironments(const StateStore& store, ProcessLauncher& launcher) {
  std::vector<EnvStatusRow> rows;
  for (const std::string& id : store.ListIds()) {
    Result<EnvState> state = store.Load(id);
    if (!state.ok()) continue;
    EnvStatusRow row;
    row.state = std::move(state).value();
    row.owner_alive = launcher.IsRunning(row.state.owner());
    for (const ResourceState& r : row.state.resources) {
      if (r.kind != "process" || r.pid <= 0) continue;
      ++row.processes_recorded;
      if (ProcessBelongsTo(launcher, r.process(), id, store.dir())) ++row.processes_alive;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

GcReport CollectGarbage(const StateStore& store, ProcessLauncher& launcher, const std::string& work_root) {
  GcReport report;
  for (const std::string& root : {store.dir(), work_root}) {
    if (Status st = CheckPrivateDirectory(root); !st.ok()) {
      report.errors.push_back(st.message());
      return report;
    }
  }
  for (EnvStatusRow& row : ListEnvironments(store, launcher)) {
    EnvState& s = row.state;
    for (const ResourceState& r : s.resources) {
      if (r.kind == "process" && r.pid > 0 && r.status == "running" &&
          !ProcessBelongsTo(launcher, r.process(), s.id, store.dir())) {
        report.drift.push_back(s.id + ": " + r.name + " (pid " + std::to_string(r.pid) +
                               ") recorded as running but missing");
      }
    }
    if (row.owner_alive && !s.detached) {
      report.kept.push_back(s.id + ": its owner (bakeoff pid " + std::to_string(s.owner_pid) +
                            ") is running");
      continue;
    }
    if (s.detached && row.processes_alive > 0) {
      report.kept.push_back(s.id + ": left up on purpose (`bakeoff env down " + s.id + "` removes it)");
      continue;
    }
    if (Status st = TearDownEnvironment(s, store, launcher, work_root); st.ok()) {
      report.removed.push_back(s.id);
    } else {
      report.errors.push_back(s.id + ": " + st.ToString());
    }
  }
  // Running but not recorded: processes of this state dir whose environment has no state file.
  for (const StrayProcess& stray : ProcessesOfStore(launcher, store.dir())) {
    if (!IsValidEnvId(stray.env_id) || fs::exists(store.PathFor(stray.env_id))) continue;
    report.drift.push_back(stray.env_id + ": pid " + std::to_string(stray.process.pid) +
                           " running but not recorded; stopped");
    (void)launcher.Stop(stray.process, std::chrono::milliseconds(2000), kKillWait);
  }
  // Work directories without a state file (a crash after the state file was removed cannot leave one:
  // the directory goes first; this catches hand-deleted state files).
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(work_root, ec)) {
    if (!entry.is_directory()) continue;
    const std::string id = entry.path().filename().string();
    if (!IsValidEnvId(id) || fs::exists(store.PathFor(id))) continue;
    // Only directories that name a state file of this store (another state dir may share the root).
    Result<std::string> marker = ReadTextFile((entry.path() / kWorkDirMarker).string());
    if (!marker.ok() || *marker != store.PathFor(id)) continue;
    report.drift.push_back(id + ": directory " + entry.path().string() + " not recorded; removed");
    if (Status st = RemoveTreeUnder(entry.path().string(), work_root); !st.ok())
      report.errors.push_back(st.ToString());
  }
  return report;
}

}  // namespace bakeoff
