// What one server kind (redis, nats, ...; see server_kinds.h) contributes to a local environment: at plan
// time a description, at apply time the files, processes, endpoints and the protocol-level health probe.
// The lifecycle (state file, spawning, waiting, teardown) is generic and lives in local_environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "env/process/process.h"

namespace bakeoff {

// The provider's validated options, typed.
struct LocalSettings {
  std::string server;  // a ServerKind's name (server_kinds.h)
  int nodes = 1;
  // The kind-specific fields below are read by their kind's `read_options`.
  int controllers = 0;                        // kafka: dedicated KRaft controllers; 0 = combined nodes
  int64_t heap_bytes = 512LL * 1024 * 1024;   // kafka: -Xms/-Xmx of each JVM
  int replication_factor = 1;                 // kafka: the health check creates a topic with it
  bool jetstream = true;                      // nats
  std::string storage = "file";               // nats JetStream: file | memory
  std::vector<std::string> plugins;           // rabbitmq
  std::map<std::string, std::string> config;  // passed through into the server's config
  std::vector<int> cpus;                      // pinning of every server process; empty = none
  std::string cpus_text;
  std::chrono::milliseconds startup_timeout{30000};
};

struct ProcessPlan {
  std::string name;    // "redis-1"; unique in the environment
  SpawnRequest spawn;  // log_path, working_dir filled in
  std::vector<int> ports;
  std::string dir;                             // its own directory (inside the work dir)
  std::chrono::milliseconds stop_grace{2000};  // SIGTERM -> SIGKILL
};

struct ServerLayout {
  std::map<std::string, std::string> files;  // path -> content, written before any process starts
  std::vector<std::string> private_files;    // of `files`, those readable by the owner only
  std::vector<ProcessPlan> helpers;          // started first and stopped last (e.g. epmd)
  std::vector<ProcessPlan> nodes;            // the servers (Environment::Processes())
  std::map<std::string, std::string> endpoints;
  std::map<std::string, std::string> facts;
  // Ok once the servers answer at the protocol level; any error means "not yet" (retried until the
  // startup deadline). `attempt_budget` bounds one attempt.
  std::function<Status(std::chrono::milliseconds attempt_budget)> probe;
};

struct LayoutContext {
  const LocalSettings* settings = nullptr;
  std::string env_id;
  std::string work_dir;
  ProcessLauncher* launcher = nullptr;
};

// Helpers shared by the kinds.
// The first line of `argv`'s output (e.g. "Redis server v=7.0.15 ..."), "" when it cannot run.
std::string ProgramVersionLine(const LayoutContext& ctx, const std::vector<std::string>& argv);
// A ProcessPlan for node `name` with its directory <work_dir>/<name>, log <dir>/<name>.log, the cpus
// and BAKEOFF_ENV_ID set.
ProcessPlan MakeProcessPlan(const LayoutContext& ctx, const std::string& name, std::vector<std::string> argv);
// "1 node" or "3 nodes (cluster)", for plan lines.
std::string NodesText(const LocalSettings& settings, const std::string& what);
// Whether `key` may be written into a server's config as a setting name (or plugin name): letters,
// digits, `_`, `-`, `.`; nothing that could start another line or a value.
bool IsSettingName(const std::string& key);

}  // namespace bakeoff
