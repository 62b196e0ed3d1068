// The server kinds of the local provider and their registry. A kind (redis, nats, ...) owns its facts:
// its name, the drivers it serves, how far it clusters, the options only it accepts, its help lines and
// its plan and layout functions. Each kind defines its one entry in its own file (redis_server.cc:
// RedisServerKind()) and server_kinds.cc lists them: that list is the only registration. The local
// provider derives from it its option schema (the `server` choices, every help text), the server a driver
// gets when `server` is not given, and the per-kind checks of `nodes` and of kind-specific options.
//
// Thread-safety: every kind is a function-local static and the list is built once on first use (C++11
// static initialisation is thread-safe); nothing changes it afterwards, so all lookups are safe from any
// thread. There is no static self-registration: bakeoff_env is a static library, and the linker would
// drop a kind file that nothing references.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "env/local/server_layout.h"
#include "spec/experiment.h"
#include "spec/option_schema.h"

namespace bakeoff {

inline constexpr std::chrono::milliseconds kDefaultStartupTimeout{30000};

struct ServerKind {
  std::string name;                  // the `server` option's value, e.g. "redis"
  std::vector<std::string> drivers;  // the drivers it serves when `server` is not given
  std::string help;                  // what it starts, one phrase: "redis-server"
  std::string config_help;           // what `config:` entries become for it, one phrase
  int max_nodes = 1;                 // above 1, `nodes: N` forms a cluster of up to this many
  std::chrono::milliseconds default_startup_timeout = kDefaultStartupTimeout;
  // Options only this kind accepts, named without the kind (the schema's help adds "kafka: "). Given
  // for an environment of another kind, they are refused. Names are unique across kinds and differ from
  // the provider's common options (server_kinds_test checks).
  std::vector<OptionSpec> options;
  // Reads those options into `settings` (their fields in LocalSettings); `values` may lack defaults.
  // Empty: the kind has none.
  std::function<Status(const OptionValues& values, LocalSettings& settings)> read_options;
  // Conflicts between the environment and the system's driver options, found before anything starts;
  // may take settings from the driver options (kafka: the health check's replication factor). May be
  // empty.
  std::function<Status(const SystemSpec& system, LocalSettings& settings)> check_system;
  std::function<std::vector<std::string>(const LocalSettings&)> plan;
  std::function<Result<ServerLayout>(const LayoutContext&)> layout;

  bool clusters() const { return max_nodes > 1; }
  bool accepts(const std::string& option) const;
};

// Every kind, in registration order.
const std::vector<const ServerKind*>& AllServerKinds();
// nullptr when no kind has that name.
const ServerKind* FindServerKind(const std::string& name);
// The kind that serves `driver`; nullptr when none does (e.g. memory).
const ServerKind* ServerKindForDriver(const std::string& driver);

// Texts derived from the registry, for schemas and error messages.
// "redis, nats, rabbitmq, mosquitto, kinesalite and kafka"
std::string ServerKindNames();
// "nats, rabbitmq and kafka"
std::string ClusteringServerKindNames();
// "redis-streams -> redis, nats and nats-jetstream -> nats, ..."
std::string DriverToServerText();
// "a, b and c"; "" for none.
std::string JoinWithAnd(const std::vector<std::string>& words);

}  // namespace bakeoff
