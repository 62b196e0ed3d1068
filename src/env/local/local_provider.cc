#include "env/local/local_provider.h"

#include <sstream>

#include "env/local/local_environment.h"
#include "spec/cpu_list.h"

namespace bakeoff {
namespace {

bool IsSettingKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

OptionSchema MakeSchema() {
  OptionSchema s;
  s.options = {
      {.name = "server",
       .type = OptionType::kEnum,
       .optional = true,
       .help = "Which server to start. Default: inferred from the driver (redis-streams -> redis, nats and "
               "nats-jetstream -> nats, rabbitmq -> rabbitmq, mqtt -> mosquitto, kinesis -> kinesalite, "
               "kafka -> kafka).",
       .choices = {"redis", "nats", "rabbitmq", "mosquitto", "kinesalite", "kafka"}},
      {.name = "nodes",
       .type = OptionType::kInt,
       .default_value = int64_t{1},
       .help = "Number of server nodes; more than 1 forms a cluster (nats, rabbitmq, kafka: 1..5 brokers, "
               "combined broker+controller nodes unless `controllers` is given).",
       .min = 1,
       .max = 9},
      {.name = "controllers",
       .type = OptionType::kInt,
       .optional = true,
       .help =
           "kafka: this many dedicated KRaft controllers beside the `nodes` brokers (default: none, every "
           "node is broker and controller).",
       .min = 1,
       .max = 5},
      {.name = "heap",
       .type = OptionType::kBytes,
       .optional = true,
       .help = "kafka: heap of each JVM (-Xms and -Xmx). Default 512MiB.",
       .min = 64.0 * 1024 * 1024,
       .max = 16.0 * 1024 * 1024 * 1024},
      {.name = "jetstream",
       .type = OptionType::kBool,
       .default_value = true,
       .help = "nats: enable JetStream (health then waits for the JetStream meta leader)."},
      {.name = "storage",
       .type = OptionType::kEnum,
       .default_value = std::string("file"),
       .help = "nats JetStream storage: file, or memory (the server refuses file-backed streams).",
       .choices = {"file", "memory"}},
      {.name = "plugins",
       .type = OptionType::kString,
       .optional = true,
       .help = "rabbitmq: comma-separated plugins to enable, e.g. rabbitmq_stream (its listener gets an "
               "allocated port)."},
      {.name = "config",
       .type = OptionType::kStringMap,
       .optional = true,
       .help =
           "Server settings passed through into its config file, e.g. redis {appendonly: \"yes\", "
           "appendfsync: everysec}; rabbitmq.conf keys; nats.conf keys; mosquitto.conf keys; kinesalite "
           "options (createStreamMs); kafka server.properties keys (checked against the broker's own list)."},
      {.name = "cpus",
       .type = OptionType::kString,
       .optional = true,
       .help = "Pin every server process to these CPUs, e.g. \"1\" or \"0-1\" (recorded in the results)."},
      {.name = "startup_timeout",
       .type = OptionType::kDuration,
       .optional = true,
       .help = "How long the servers may take to become healthy. Default 30s; 60s for rabbitmq and kafka.",
       .min = 0.1,
       .max = 3600},
  };
  return s;
}

class LocalProvider final : public Provider {
 public:
  LocalProvider() : schema_(MakeSchema()) {}
  std::string name() const override { return "local"; }
  std::string description() const override {
    return "Real servers started on this machine (redis, nats, rabbitmq, mosquitto, kinesalite, Apache "
           "Kafka) on "
           "127.0.0.1 "
           "and allocated ports; recorded in a state file and removed on every exit path (`bakeoff env gc` "
           "cleans up after a crash).";
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
    if (settings->server == "kafka") {
      // The health check creates a topic with the replication factor the experiment's topics will use.
      settings->replication_factor = static_cast<int>(system.options.GetInt("replication_factor", 1));
      if (settings->replication_factor > settings->nodes) {
        return InvalidArgument(
            "local: kafka `replication_factor: " + std::to_string(settings->replication_factor) +
            "` needs at least that many brokers; "
            "the environment has `nodes: " +
            std::to_string(settings->nodes) + "`");
      }
    }
    if (settings->server == "nats" && system.driver == "nats-jetstream") {
      if (!settings->jetstream) {
        return InvalidArgument(
            "local: the nats-jetstream driver needs JetStream; the environment has "
            "`jetstream: false` (remove it, or use the `nats` driver)");
      }
      const std::string wanted = system.options.GetString("storage", "file");
      if (settings->storage == "memory" && wanted == "file") {
        return InvalidArgument(
            "local: the environment's `storage: memory` makes the server refuse file-backed "
            "streams, and the driver's `storage` is `file`: set `options.storage: memory` "
            "or the environment's `storage: file`");
      }
    }
    return settings;
  }

  OptionSchema schema_;
};

}  // namespace

Result<std::string> ServerForDriver(const std::string& driver) {
  if (driver == "redis-streams" || driver == "redis") return std::string("redis");
  if (driver == "nats" || driver == "nats-jetstream") return std::string("nats");
  if (driver == "rabbitmq") return std::string("rabbitmq");
  if (driver == "mqtt") return std::string("mosquitto");
  if (driver == "kinesis") return std::string("kinesalite");
  if (driver == "kafka") return std::string("kafka");
  return InvalidArgument("local: driver `" + driver +
                         "` needs no server; give `server:` explicitly or use "
                         "another environment");
}

Result<LocalSettings> LocalSettingsFromOptions(const OptionValues& options, const std::string& driver) {
  LocalSettings s;
  s.server = options.GetString("server");
  if (s.server.empty()) {
    Result<std::string> inferred = ServerForDriver(driver);
    if (!inferred.ok()) return inferred.status();
    s.server = *inferred;
  }
  if (FindServerKind(s.server) == nullptr) return InvalidArgument("local: unknown server `" + s.server + "`");
  s.nodes = static_cast<int>(options.GetInt("nodes", 1));
  if (s.nodes > 1 && s.server != "nats" && s.server != "rabbitmq" && s.server != "kafka") {
    return InvalidArgument("local: `nodes: " + std::to_string(s.nodes) +
                           "` — only nats, rabbitmq and kafka form clusters");
  }
  if (s.server == "kafka" && s.nodes > 5) {
    return InvalidArgument("local: kafka `nodes: " + std::to_string(s.nodes) + "` — at most 5 brokers here");
  }
  s.controllers = static_cast<int>(options.GetInt("controllers", 0));
  s.heap_bytes = options.GetInt("heap", s.heap_bytes);
  if ((options.Has("controllers") || options.Has("heap")) && s.server != "kafka")
    return InvalidArgument("local: `controllers` and `heap` apply to kafka only");
  s.jetstream = options.GetBool("jetstream", true);
  s.storage = options.GetString("storage", "file");
  std::istringstream plugins(options.GetString("plugins"));
  for (std::string p; std::getline(plugins, p, ',');) {
    p.erase(0, p.find_first_not_of(" \t"));
    p.erase(p.find_last_not_of(" \t") + 1);
    if (p.empty()) continue;
    if (!IsSettingKey(p)) return InvalidArgument("local: plugin name `" + p + "` is not valid");
    s.plugins.push_back(p);
  }
  if (!s.plugins.empty() && s.server != "rabbitmq")
    return InvalidArgument("local: `plugins` applies to rabbitmq only");
  s.config = options.GetStringMap("config");
  for (const auto& [k, v] : s.config) {
    if (!IsSettingKey(k)) return InvalidArgument("local: config key `" + k + "` is not a setting name");
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
  const std::chrono::nanoseconds fallback =
      s.server == "rabbitmq" || s.server == "kafka" ? std::chrono::seconds(60) : std::chrono::seconds(30);
  s.startup_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.GetDuration("startup_timeout", fallback));
  return s;
}

Provider* GetLocalProvider() {
  static LocalProvider provider;
  return &provider;
}

}  // namespace bakeoff
