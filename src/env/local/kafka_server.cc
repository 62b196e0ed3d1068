// Apache Kafka in KRaft mode: `nodes` combined broker+controller JVMs, or `controllers` dedicated
// controllers beside `nodes` brokers. The jars come from tools/kafka/lib (scripts/setup.sh fetches them
// from Maven Central per tools/kafka/pom.xml); `java` is Debian's. Every node's storage is formatted
// with one cluster id before any node starts; the quorum is static (controller.quorum.voters).
// Healthy: see kafka_health.h.
#include <dirent.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "env/local/env_admin.h"
#include "env/local/kafka_health.h"
#include "env/local/server_kinds.h"
#include "env/process/files.h"
#include "env/process/ports.h"
#include "spec/internal/suggest.h"

#ifndef BAKEOFF_KAFKA_LIB_DIR
#define BAKEOFF_KAFKA_LIB_DIR "tools/kafka/lib"
#endif

namespace bakeoff {
namespace {

constexpr std::chrono::milliseconds kFormatTimeout{60000};
// SIGTERM -> SIGKILL. The last node of a combined cluster waits for a quorum that is gone and only ends
// by SIGKILL; a benchmark's data is thrown away with the work directory anyway.
constexpr std::chrono::milliseconds kStopGrace{3000};
constexpr const char* kJarPrefix = "kafka_2.13-";
// One broker setting name a line; scripts/setup.sh writes it from Kafka's own config definition
// (`kafka.server.KafkaConfig` prints it) next to the jars.
constexpr const char* kConfigNamesFile = "broker-config-names.txt";

// Keys bakeoff writes itself: a `config:` entry may not replace them (the environment would no longer
// be what its state file and endpoints say).
const std::set<std::string> kManagedKeys = {"process.roles",
                                            "node.id",
                                            "controller.quorum.voters",
                                            "controller.quorum.bootstrap.servers",
                                            "listeners",
                                            "advertised.listeners",
                                            "controller.listener.names",
                                            "listener.security.protocol.map",
                                            "inter.broker.listener.name",
                                            "log.dirs",
                                            "log.dir",
                                            "metadata.log.dir"};

std::string KafkaLibDir() {
  const char* override_dir = std::getenv("BAKEOFF_KAFKA_LIBS");
  return override_dir != nullptr && *override_dir != '\0' ? override_dir : BAKEOFF_KAFKA_LIB_DIR;
}

// The Kafka version of the jars in `dir` (from kafka_2.13-<version>.jar), or an error saying how to get
// them.
Result<std::string> KafkaVersionIn(const std::string& dir) {
  std::string version;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.rfind(kJarPrefix, 0) == 0 && name.size() > 15 && name.substr(name.size() - 4) == ".jar" &&
          name.find("-test") == std::string::npos) {
        version = name.substr(11, name.size() - 15);
      }
    }
    closedir(d);
  }
  if (version.empty()) {
    return NotFound("local: kafka: no Apache Kafka jars in " + dir +
                    " (kafka_2.13-*.jar); run scripts/setup.sh, which fetches them from Maven Central per "
                    "tools/kafka/pom.xml (or set BAKEOFF_KAFKA_LIBS to a folder of Kafka's jars)");
  }
  return version;
}

std::string RandomBase64Url16() {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  unsigned char bytes[16];
  for (unsigned char& b : bytes) b = static_cast<unsigned char>(rd() & 0xff);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(acc >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

// A KRaft cluster id: 16 random bytes, base64url without padding (22 characters), as Kafka's own; never
// starting with '-' (the storage tool would read it as an option).
std::string NewClusterId() {
  std::string id;
  do id = RandomBase64Url16();
  while (id[0] == '-');
  return id;
}

struct KafkaNode {
  int id = 0;
  bool broker = false;
  bool controller = false;
  int broker_port = 0;
  int controller_port = 0;
  std::string name;
};

std::string Properties(const KafkaNode& n, const std::string& voters, const std::string& data_dir,
                       int brokers, const std::map<std::string, std::string>& config) {
  const std::string host = "127.0.0.1:";
  std::string roles = n.broker && n.controller ? "broker,controller" : n.broker ? "broker" : "controller";
  std::string t = "# written by bakeoff (local provider)\n";
  t += "process.roles=" + roles + "\nnode.id=" + std::to_string(n.id) + "\n";
  t += "controller.quorum.voters=" + voters + "\ncontroller.listener.names=CONTROLLER\n";
  std::string listeners;
  if (n.broker) listeners += "PLAINTEXT://" + host + std::to_string(n.broker_port);
  if (n.controller) {
    listeners += std::string(listeners.empty() ? "" : ",") + "CONTROLLER://" + host +
                 std::to_string(n.controller_port);
  }
  t += "listeners=" + listeners + "\n";
  if (n.broker) {
    t += "advertised.listeners=PLAINTEXT://" + host + std::to_string(n.broker_port) + "\n";
    t += "inter.broker.listener.name=PLAINTEXT\n";
  }
  t += "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n";
  t += "log.dirs=" + data_dir + "\n";
  // Internal topics as replicated as the cluster allows (Kafka's defaults assume 3 brokers).
  std::map<std::string, std::string> defaults = {
      {"offsets.topic.replication.factor", std::to_string(std::min(brokers, 3))},
      {"transaction.state.log.replication.factor", std::to_string(std::min(brokers, 3))},
      {"transaction.state.log.min.isr", std::to_string(std::min(brokers, 2))},
      {"share.coordinator.state.topic.replication.factor", std::to_string(std::min(brokers, 3))},
      {"share.coordinator.state.topic.min.isr", std::to_string(std::min(brokers, 2))},
      // A benchmark's consumer group should not wait 3 s for members that will never come.
      {"group.initial.rebalance.delay.ms", "0"},
  };
  for (const auto& [k, v] : config) defaults[k] = v;
  for (const auto& [k, v] : defaults) t += k + "=" + v + "\n";
  return t;
}

std::vector<std::string> JavaArgv(const std::string& lib, const std::vector<std::string>& jvm,
                                  const std::string& main_class, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"java"};
  argv.insert(argv.end(), jvm.begin(), jvm.end());
  argv.insert(argv.end(), {"-cp", lib + "/*", main_class});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Formats every node's storage at once (one short JVM each, in parallel); the first failure quotes the
// tool's output.
Status FormatStorage(const LayoutContext& ctx, const std::string& lib, const std::string& cluster_id,
                     const std::vector<ProcessPlan>& plans) {
  std::vector<std::pair<const ProcessPlan*, ProcessRef>> running;
  Status first;
  for (const ProcessPlan& p : plans) {
    SpawnRequest req;
    req.argv =
        JavaArgv(lib, {"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}, "kafka.tools.StorageTool",
                 {"format", "-t", cluster_id, "-c", p.dir + "/server.properties"});
    req.env[kEnvIdVariable] = ctx.env_id;
    req.working_dir = p.dir;
    req.log_path = p.dir + "/storage-format.out";
    Result<ProcessRef> ref = ctx.launcher->Spawn(req);
    if (!ref.ok()) {
      first = Unavailable(
          "local: kafka: cannot run java for the storage format (is a JRE installed? "
          "scripts/setup.sh installs Debian's): " +
          ref.status().message());
      break;
    }
    running.emplace_back(&p, *ref);
  }
  for (const auto& [plan, ref] : running) {
    Result<int> code = ctx.launcher->Wait(ref, kFormatTimeout);
    if (!first.ok()) continue;
    const std::string out = plan->dir + "/storage-format.out";
    if (!code.ok()) {
      first = Status(code.status().code(), plan->name + ": storage format: " + code.status().message());
    } else if (*code != 0) {
      first = Unavailable(plan->name + ": kafka storage format exited with " + std::to_string(*code) +
                          "; last lines of " + out + ":\n" + LastLines(out, 15));
    }
  }
  return first;
}

// Every `config:` key must be a broker setting of this Kafka version: Kafka itself only ignores unknown
// keys, so a typo would silently measure the default. Skipped when the names file is absent.
Status CheckConfigKeys(const std::string& lib, const std::string& version,
                       const std::map<std::string, std::string>& config, bool& checked) {
  checked = false;
  Result<std::string> text = ReadTextFile(lib + "/" + kConfigNamesFile);
  if (!text.ok() || text->empty()) return Status::Ok();
  std::vector<std::string> names;
  for (size_t at = 0; at < text->size();) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    if (end > at) names.push_back(text->substr(at, end - at));
    at = end + 1;
  }
  checked = true;
  for (const auto& [key, value] : config) {
    // Per-listener settings (listener.name.<listener>.<setting>) are not listed one by one.
    if (key.rfind("listener.name.", 0) == 0) continue;
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    const std::string hint = spec_internal::DidYouMean(key, names);
    return InvalidArgument("local: kafka: config key `" + key + "` is not a broker setting of Apache Kafka " +
                           version + " (" + std::to_string(names.size()) + " settings listed in " + lib +
                           "/" + kConfigNamesFile + ")" + (hint.empty() ? "" : "; " + hint));
  }
  return Status::Ok();
}

Result<ServerLayout> LayoutKafka(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  const std::string lib = KafkaLibDir();
  Result<std::string> version = KafkaVersionIn(lib);
  if (!version.ok()) return version.status();
  for (const auto& [key, value] : s.config) {
    if (kManagedKeys.count(key) != 0) {
      return InvalidArgument(
          "local: kafka: config key `" + key +
          "` is set by bakeoff itself (listeners, roles, quorum and log directories follow "
          "from `nodes`, `controllers` and the allocated ports)");
    }
  }

  bool keys_checked = false;
  Status keys = CheckConfigKeys(lib, *version, s.config, keys_checked);
  if (!keys.ok()) return keys;

  // Combined: nodes 1..N are brokers and controllers. Dedicated: controllers 1..K, brokers K+1..K+N.
  std::vector<KafkaNode> nodes;
  const int total = s.nodes + s.controllers;
  for (int i = 1; i <= total; ++i) {
    KafkaNode n;
    n.id = i;
    n.controller = s.controllers == 0 || i <= s.controllers;
    n.broker = s.controllers == 0 || i > s.controllers;
    n.name = s.controllers == 0 ? "kafka-" + std::to_string(i)
             : n.controller     ? "kafka-controller-" + std::to_string(i)
                                : "kafka-broker-" + std::to_string(i - s.controllers);
    if (n.broker) {
      Result<int> port = AllocateLoopbackPort();
      if (!port.ok()) return port.status();
      n.broker_port = *port;
    }
    if (n.controller) {
      Result<int> port = AllocateLoopbackPort();
      if (!port.ok()) return port.status();
      n.controller_port = *port;
    }
    nodes.push_back(n);
  }
  std::string voters;
  for (const KafkaNode& n : nodes) {
    if (n.controller)
      voters += (voters.empty() ? "" : ",") + std::to_string(n.id) +
                "@127.0.0.1:" + std::to_string(n.controller_port);
  }

  ServerLayout layout;
  const std::string log4j = ctx.work_dir + "/log4j2.properties";
  const std::string heap = std::to_string(s.heap_bytes / (1024 * 1024)) + "m";
  // INFO to stdout, which the launcher appends to the node's log; the per-request loggers stay quiet.
  const std::string log4j_text =
      "status = warn\nappender.console.type = Console\nappender.console.name = STDOUT\n"
      "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = [%d] %p %m (%c)%n\n"
      "rootLogger.level = INFO\nrootLogger.appenderRef.stdout.ref = STDOUT\n"
      "logger.request.name = kafka.request.logger\nlogger.request.level = WARN\n";
  Status written = WriteTextFile(log4j, log4j_text);
  if (!written.ok()) return written;
  std::vector<int> broker_ports;
  std::string bootstrap;
  for (const KafkaNode& n : nodes) {
    ProcessPlan plan = MakeProcessPlan(ctx, n.name, {});
    const std::string props = plan.dir + "/server.properties";
    plan.spawn.argv = JavaArgv(lib,
                               {"-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                                "-XX:InitiatingHeapOccupancyPercent=35", "-Djava.awt.headless=true",
                                "-Dlog4j2.configurationFile=" + log4j, "-Dkafka.logs.dir=" + plan.dir},
                               "kafka.Kafka", {props});
    if (n.broker) plan.ports.push_back(n.broker_port);
    if (n.controller) plan.ports.push_back(n.controller_port);
    plan.stop_grace = kStopGrace;
    Status made = MakeDirectories(plan.dir);
    if (!made.ok()) return made;
    // Written here, not through layout.files: the storage format below reads it before any node starts.
    Status st = WriteTextFile(props, Properties(n, voters, plan.dir + "/data", s.nodes, s.config));
    if (!st.ok()) return st;
    if (n.broker) {
      broker_ports.push_back(n.broker_port);
      bootstrap += (bootstrap.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(n.broker_port);
    }
    layout.nodes.push_back(std::move(plan));
  }
  const std::string cluster_id = NewClusterId();
  Status formatted = FormatStorage(ctx, lib, cluster_id, layout.nodes);
  if (!formatted.ok()) return formatted;

  layout.endpoints = {{"bootstrap_servers", bootstrap}};
  layout.facts["server"] = "kafka";
  layout.facts["server_version"] = "Apache Kafka " + *version;
  layout.facts["kafka_version"] = *version;
  layout.facts["kraft"] = s.controllers == 0 ? "combined broker+controller nodes"
                                             : std::to_string(s.controllers) + " dedicated controller(s)";
  layout.facts["brokers"] = std::to_string(s.nodes);
  layout.facts["cluster_id"] = cluster_id;
  layout.facts["heap"] = heap;
  layout.facts["java"] = ProgramVersionLine(ctx, {"java", "-version"});
  for (const auto& [k, v] : s.config) layout.facts["config." + k] = v;
  if (!s.config.empty())
    layout.facts["config_keys_checked"] =
        keys_checked ? "yes" : "no (no " + std::string(kConfigNamesFile) + ")";

  KafkaHealthOptions health;
  health.bootstrap_servers = bootstrap;
  health.broker_ports = broker_ports;
  health.replication_factor = std::max(1, s.replication_factor);
  auto checker = std::make_shared<KafkaHealth>(health);
  layout.probe = [checker](std::chrono::milliseconds budget) { return checker->Probe(budget); };
  return layout;
}

std::vector<std::string> PlanKafka(const LocalSettings& s) {
  const std::string heap = std::to_string(s.heap_bytes / (1024 * 1024)) + " MiB heap";
  std::vector<std::string> lines;
  if (s.controllers == 0) {
    lines.push_back("Apache Kafka (java, jars from tools/kafka/lib), " +
                    NodesText(s, "combined broker+controller node") + ", " + heap +
                    " each, 127.0.0.1 on allocated broker and controller ports");
  } else {
    lines.push_back("Apache Kafka (java, jars from tools/kafka/lib), " + std::to_string(s.controllers) +
                    " dedicated controller(s) and " + NodesText(s, "broker") + ", " + heap +
                    " each, 127.0.0.1 on allocated ports");
  }
  lines.push_back("storage format of every node with one cluster id (KRaft, static quorum)");
  if (!s.config.empty())
    lines.push_back(std::to_string(s.config.size()) + " setting(s) passed into every server.properties");
  return lines;
}

Status ReadKafkaOptions(const OptionValues& values, LocalSettings& s) {
  s.controllers = static_cast<int>(values.GetInt("controllers", 0));
  s.heap_bytes = values.GetInt("heap", s.heap_bytes);
  return Status::Ok();
}

// The health check creates a topic with the replication factor the experiment's topics will use.
Status CheckKafkaSystem(const SystemSpec& system, LocalSettings& s) {
  s.replication_factor = static_cast<int>(system.options.GetInt("replication_factor", 1));
  if (s.replication_factor > s.nodes) {
    return InvalidArgument(
        "local: kafka `replication_factor: " + std::to_string(s.replication_factor) +
        "` needs at least that many brokers; the environment has `nodes: " + std::to_string(s.nodes) + "`");
  }
  return Status::Ok();
}

std::vector<OptionSpec> KafkaOptions() {
  return {
      InRange(Option("controllers", OptionType::kInt, std::nullopt,
                     "this many dedicated KRaft controllers beside the `nodes` brokers (default: none, "
                     "every node is broker and controller)."),
              1, 5),
      InRange(Option("heap", OptionType::kBytes, std::nullopt,
                     "heap of each JVM (-Xms and -Xmx). Default 512MiB."),
              64.0 * 1024 * 1024, 16.0 * 1024 * 1024 * 1024),
  };
}

}  // namespace

const ServerKind& KafkaServerKind() {
  static const ServerKind kind = {
      .name = "kafka",
      .drivers = {"kafka"},
      .help = "Apache Kafka in KRaft mode (java, jars from tools/kafka/lib)",
      .config_help = "server.properties keys (checked against the broker's own list)",
      .max_nodes = 5,
      .default_startup_timeout = std::chrono::milliseconds(60000),
      .options = KafkaOptions(),
      .read_options = ReadKafkaOptions,
      .check_system = CheckKafkaSystem,
      .plan = PlanKafka,
      .layout = LayoutKafka,
  };
  return kind;
}

}  // namespace bakeoff
