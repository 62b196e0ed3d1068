// Operations on local environments through their state files, also from another bakeoff process:
// tear down (`env down`, and Destroy() itself), status (`env status`) and garbage collection after a
// crash (`env gc`). A process is treated as the environment's only when its PID and start time match
// the state file AND it carries the environment's id (BAKEOFF_ENV_ID, set by bakeoff at spawn,
// or its working directory inside the environment's work directory);
// a directory only when it is <work_root>/<id> with symlinks resolved (so no link leads out of the work
// root) and holds the marker file bakeoff wrote at creation naming this environment's state file (an
// empty directory without a marker, left by a crash between mkdir and marker, is removed with rmdir).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "env/local/env_state.h"
#include "env/process/process.h"

namespace bakeoff {

// The variable every spawned server carries, valued with its environment's id.
inline constexpr const char* kEnvIdVariable = "BAKEOFF_ENV_ID";
// ... and the state file that records it (so gc only touches processes of its own state dir).
inline constexpr const char* kEnvStateVariable = "BAKEOFF_ENV_STATE";

// A file in every work directory holding the path of the environment's state file.
inline constexpr const char* kWorkDirMarker = ".bakeoff-state";

// Whether `ref` is running (PID + start time) and provably belongs to environment `env_id` of the state
// dir `store_dir`: by the variables above, or by its working directory inside the environment's work
// directory (whose marker names the state file).
bool ProcessBelongsTo(ProcessLauncher& launcher, const ProcessRef& ref, const std::string& env_id,
                      const std::string& store_dir);

// Stops every recorded process (servers first, helpers last; SIGTERM -> SIGKILL), kills unrecorded
// processes that carry the id, removes the work directory and finally the state file. The state file is
// updated after each step, so an interrupted teardown can be resumed. Idempotent. `work_root` is the
// root the environment's work directory must lie in (EnvironmentWorkRoot() unless a test chose one).
Status TearDownEnvironment(EnvState& state, const StateStore& store, ProcessLauncher& launcher,
                           const std::string& work_root);

struct EnvStatusRow {
  EnvState state;
  int processes_recorded = 0;
  int processes_alive = 0;
  bool owner_alive = false;
};
std::vector<EnvStatusRow> ListEnvironments(const StateStore& store, ProcessLauncher& launcher);

struct GcReport {
  std::vector<std::string> removed;  // environment ids torn down
  std::vector<std::string> kept;     // "<id>: reason"
  std::vector<std::string> drift;    // recorded but missing, running but not recorded, unrecorded dirs
  std::vector<std::string> errors;
};
// Tears down environments whose owner is gone (unless detached and still running), and removes
// leftovers that can be proven to be bakeoff's: processes carrying an id with no state file, work
// directories under `work_root` with no state file and no process. Refuses to act (one error) when the
// state dir or the work root is not private to this user (CheckPrivateDirectory).
GcReport CollectGarbage(const StateStore& store, ProcessLauncher& launcher, const std::string& work_root);

}  // namespace bakeoff
