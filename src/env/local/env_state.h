// The state file of one local environment: what it owns, written BEFORE each resource is created and
// updated after, so that a crash at any point leaves enough to find and remove everything
// (`bakeoff env gc`). One JSON file per environment in EnvironmentStateDir(); removed by a completed
// destroy.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "env/process/process.h"

namespace bakeoff {

struct ResourceState {
  std::string kind;  // "directory" | "process"
  std::string name;  // "work", "redis-1", "epmd"
  int pid = 0;       // process: 0 until spawned
  uint64_t pid_start_ticks = 0;
  std::vector<int> ports;
  std::vector<std::string> directories;
  std::string log;               // process: its log file
  std::string status;            // planned -> running -> stopped; directory: planned -> created -> removed
  int64_t stop_grace_ms = 2000;  // SIGTERM -> SIGKILL
  ProcessRef process() const { return {pid, pid_start_ticks}; }
};

struct EnvState {
  int version = 1;
  std::string id;  // also the work directory's name
  std::string provider = "local";
  std::string system;  // the experiment's system name
  std::string kind;    // server kind (ServerKind::name): redis, nats, ...
  int owner_pid = 0;   // the bakeoff process that created it
  uint64_t owner_start_ticks = 0;
  bool detached = false;  // left up on purpose (`env up`, `run --keep`): gc keeps it while it runs
  std::string work_dir;
  std::string status;  // applying | ready | failed | destroying
  int64_t created_unix_ms = 0;
  std::map<std::string, std::string> endpoints;
  std::vector<ResourceState> resources;

  ProcessRef owner() const { return {owner_pid, owner_start_ticks}; }
  ResourceState* Find(const std::string& name);
};

// Whether `id` may name an environment: 1-128 characters of [A-Za-z0-9._-], not "." or "..", no "..".
// Ids come from state files another process (or user) may have written, so every reader checks them
// before building a path from one.
bool IsValidEnvId(const std::string& id);
Status CheckEnvId(const std::string& id);

std::string EnvStateToJson(const EnvState& state);
Result<EnvState> EnvStateFromJson(const std::string& text);

// The directory of state files. Thread-compatible; files are replaced atomically. Save() creates the
// directory 0700 and refuses one that is not private (EnsurePrivateDirectory); Load() and Remove()
// refuse invalid ids, and Load() a file whose recorded id differs from its name; ListIds() skips
// files whose names are not valid ids.
class StateStore {
 public:
  explicit StateStore(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string PathFor(const std::string& id) const { return dir_ + "/" + id + ".json"; }
  Status Save(const EnvState& state) const;
  Result<EnvState> Load(const std::string& id) const;
  Status Remove(const std::string& id) const;  // Ok when absent
  std::vector<std::string> ListIds() const;

 private:
  std::string dir_;
};

}  // namespace bakeoff
