#include "env/local/local_provider.h"

#include <algorithm>
#include <map>

#include "env/local/local_environment.h"
#include "env/local/server_kinds.h"
#include "spec/cpu_list.h"

namespace bakeoff {
namespace {

std::string Seconds(std::chrono::milliseconds ms) {
  return ms.count() % 1000 == 0 ? std::to_string(ms.count() / 1000) + "s" : std::to_string(ms.count()) + "ms";
}

// "redis (redis-server), nats (nats-server, ...), ..."
std::string ServerChoicesText() {
  std::string text;
  for (const ServerKind* kind : AllServerKinds())
    text += (text.empty() ? "" : ", ") + kind->name + " (" + kind->help + ")";
  return text;
}

std::string NodesHelp() {
  std::vector<std::string> ranges;
  for (const ServerKind* kind : AllServerKinds()) {
    if (kind->clusters()) ranges.push_back(kind->name + " 1.." + std::to_string(kind->max_nodes));
  }
  return "Number of server nodes; more than 1 forms a cluster (" + JoinWithAnd(ranges) +
         "); the other servers run 1 node.";
}

std::string ConfigHelp() {
  std::string text = "Server settings passed through into its config: ";
  bool first = true;
  for (const ServerKind* kind : AllServerKinds()) {
    text += (first ? "" : "; ") + kind->name + ": " + kind->config_help;
    first = false;
  }
  return text + ".";
}

std::string StartupTimeoutHelp() {
  std::map<int64_t, std::vector<std::string>> others;  // timeout ms -> kinds
  for (const ServerKind* kind : AllServerKinds()) {
    if (kind->default_startup_timeout != kDefaultStartupTimeout)
      others[kind->default_startup_timeout.count()].push_back(kind->name);
  }
  std::string text =
      "How long the servers may take to become healthy. Default " + Seconds(kDefaultStartupTimeout);
  for (const auto& [ms, kinds] : others)
    text += "; " + Seconds(std::chrono::milliseconds(ms)) + " for " + JoinWithAnd(kinds);
  return text + ".";
}

// The common options, then each kind's own (its help prefixed with its name), in registration order.
OptionSchema MakeSchema() {
  OptionSchema s;
  OptionSpec server = Option("server", OptionType::kEnum, std::nullopt, "");
  server.help = "Which server to start: " + ServerChoicesText() + ". Default: inferred from the driver (" +
                DriverToServerText() + ").";
  for (const ServerKind* kind : AllServerKinds()) server.choices.push_back(kind->name);
  s.options.push_back(server);
  int max_nodes = 1;
  for (const ServerKind* kind : AllServerKinds()) max_nodes = std::max(max_nodes, kind->max_nodes);
  OptionSpec nodes = InRange(Option("nodes", OptionType::kInt, int64_t{1}, ""), 1, max_nodes);
  nodes.help = NodesHelp();
  s.options.push_back(nodes);
  for (const ServerKind* kind : AllServerKinds()) {
    for (OptionSpec option : kind->options) {
      option.help = kind->name + ": " + option.help;
      s.options.push_back(std::move(option));
    }
  }
  OptionSpec config = Option("config", OptionType::kStringMap, std::nullopt, "");
  config.help = ConfigHelp();
  s.options.push_back(config);
  s.options.push_back(Option("cpus", OptionType::kString, std::nullopt,
                             "Pin every server process to these CPUs, e.g. \"1\" or \"0-1\" (recorded in "
                             "the results)."));
  OptionSpec startup = InRange(Option("startup_timeout", OptionType::kDuration, std::nullopt, ""), 0.1, 3600);
  startup.help = StartupTimeoutHelp();
  s.options.push_back(startup);
  return s;
}

// `option`, given for an environment of `kind`, belongs to other kinds only: the error naming them.
Status CheckKindOptions(const OptionValues& options, const ServerKind& kind) {
  for (const ServerKind* other : AllServerKinds()) {
    for (const OptionSpec& option : other->options) {
      if (!options.Has(option.name) || kind.accepts(option.name)) continue;
      std::vector<std::string> owners;
      for (const ServerKind* k : AllServerKinds()) {
        if (k->accepts(option.name)) owners.push_back(k->name);
      }
      return InvalidArgument("local: `" + option.name + "` applies to " + JoinWithAnd(owners) +
                             " only, and this environment starts " + kind.name + ": remove `" + option.name +
                             "`");
    }
  }
  return Status::Ok();
}

class LocalProvider final : public Provider {
 public:
  LocalProvider() : schema_(MakeSchema()) {}
  std::string name() const override { return "local"; }
  std::string description() const override {
    return "Real servers started on this machine (" + ServerKindNames() +
           ") on 127.0.0.1 and allocated ports; recorded in a state file and removed on every exit path "
           "(`bakeoff env gc` cleans up after a crash).";
  }
  const OptionSchema& schema() const override { return schema_; }

  Status Check(const SystemSpec& system) const override { return Settings(system).status(); }

  Result<std::unique_ptr<Environment>> Create(const SystemSpec& system) override {
    Result<LocalSettings> settings = Settings(system);
    if (!settings.ok()) return settings.status();
    LocalEnvironmentOptions options;
    options.system_name = system.name;
    options.settings = std::move(settings).value();
    return std::unique_ptr<Environment>(new LocalEnvironment(std::move(options)));
  }

 private:
  // The environment's settings, checked against the system's driver options.
  static Result<LocalSettings> Settings(const SystemSpec& system) {
    Result<LocalSettings> settings = LocalSettingsFromOptions(system.environment.options, system.driver);
    if (!settings.ok()) return settings.status();
    const ServerKind* kind = FindServerKind(settings->server);
    if (kind->check_system) BAKEOFF_RETURN_IF_ERROR(kind->check_system(system, *settings));
    return settings;
  }

  OptionSchema schema_;
};

}  // namespace

Result<std::string> ServerForDriver(const std::string& driver) {
  if (const ServerKind* kind = ServerKindForDriver(driver); kind != nullptr) return kind->name;
  return InvalidArgument("local: driver `" + driver + "` needs no server (the local servers serve " +
                         DriverToServerText() + "); give `server:` (" + ServerKindNames() +
                         ") explicitly or use another environment");
}

Result<LocalSettings> LocalSettingsFromOptions(const OptionValues& options, const std::string& driver) {
  LocalSettings s;
  s.server = options.GetString("server");
  if (s.server.empty()) {
    Result<std::string> inferred = ServerForDriver(driver);
    if (!inferred.ok()) return inferred.status();
    s.server = *inferred;
  }
  const ServerKind* kind = FindServerKind(s.server);
  if (kind == nullptr)
    return InvalidArgument("local: unknown server `" + s.server + "`; one of " + ServerKindNames());
  s.nodes = static_cast<int>(options.GetInt("nodes", 1));
  if (s.nodes > 1 && !kind->clusters()) {
    return InvalidArgument("local: `nodes: " + std::to_string(s.nodes) + "` — only " +
                           ClusteringServerKindNames() + " form clusters; " + kind->name +
                           " runs 1 node (remove `nodes`)");
  }
  if (s.nodes > kind->max_nodes) {
    return InvalidArgument("local: " + kind->name + " `nodes: " + std::to_string(s.nodes) + "` — at most " +
                           std::to_string(kind->max_nodes) + " nodes here");
  }
  BAKEOFF_RETURN_IF_ERROR(CheckKindOptions(options, *kind));
  if (kind->read_options) BAKEOFF_RETURN_IF_ERROR(kind->read_options(options, s));
  s.config = options.GetStringMap("config");
  for (const auto& [k, v] : s.config) {
    if (!IsSettingName(k)) return InvalidArgument("local: config key `" + k + "` is not a setting name");
    if (v.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("local: config value of `" + k + "` must be one line");
    }
  }
  s.cpus_text = options.GetString("cpus");
  if (!s.cpus_text.empty()) {
    Result<std::vector<int>> cpus = ParseCpuList(s.cpus_text);
    if (!cpus.ok()) return InvalidArgument("local: " + cpus.status().message());
    s.cpus = *cpus;
  }
  s.startup_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      options.GetDuration("startup_timeout", kind->default_startup_timeout));
  return s;
}

Provider* GetLocalProvider() {
  static LocalProvider provider;
  return &provider;
}

}  // namespace bakeoff
