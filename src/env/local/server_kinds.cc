#include <algorithm>

#include "env/local/server_layout.h"

namespace bakeoff {
namespace {

std::string Nodes(const LocalSettings& s, const std::string& what) {
  return s.nodes == 1 ? "1 " + what : std::to_string(s.nodes) + " " + what + "s (cluster)";
}

std::vector<std::string> PlanRedis(const LocalSettings& s) {
  return {
      "redis-server, " + Nodes(s, "node") +
      ", 127.0.0.1 on an allocated port, config written to the work "
      "directory" +
      (s.config.empty() ? "" : " with " + std::to_string(s.config.size()) + " setting(s) passed through")};
}
std::vector<std::string> PlanNats(const LocalSettings& s) {
  std::string js = s.jetstream ? ", JetStream on (" + s.storage + " storage)" : ", JetStream off";
  return {"nats-server, " + Nodes(s, "node") + js + ", 127.0.0.1 on allocated client" +
          (s.nodes > 1 ? " and cluster route ports" : " port")};
}
std::vector<std::string> PlanRabbitmq(const LocalSettings& s) {
  std::string plugins;
  for (const std::string& p : s.plugins) plugins += (plugins.empty() ? "" : ",") + p;
  return {"epmd on an allocated port (127.0.0.1), stopped by PID on destroy",
          "rabbitmq-server, " + Nodes(s, "node") +
              " with their own HOME, node names and allocated AMQP and "
              "distribution ports" +
              (plugins.empty() ? "" : ", plugins " + plugins)};
}
std::vector<std::string> PlanMosquitto(const LocalSettings&) {
  return {"mosquitto, 1 node, `listener PORT 127.0.0.1` and `allow_anonymous true` in its config"};
}
std::vector<std::string> PlanKinesalite(const LocalSettings&) {
  return {"kinesalite (Kinesis API, in memory) on 127.0.0.1 and an allocated port"};
}

std::vector<std::string> PlanKafka(const LocalSettings& s) {
  const std::string heap = std::to_string(s.heap_bytes / (1024 * 1024)) + " MiB heap";
  std::vector<std::string> lines;
  if (s.controllers == 0) {
    lines.push_back("Apache Kafka (java, jars from tools/kafka/lib), " +
                    Nodes(s, "combined broker+controller node") + ", " + heap +
                    " each, 127.0.0.1 on allocated broker and controller ports");
  } else {
    lines.push_back("Apache Kafka (java, jars from tools/kafka/lib), " + std::to_string(s.controllers) +
                    " dedicated controller(s) and " + Nodes(s, "broker") + ", " + heap +
                    " each, 127.0.0.1 on allocated ports");
  }
  lines.push_back("storage format of every node with one cluster id (KRaft, static quorum)");
  if (!s.config.empty())
    lines.push_back(std::to_string(s.config.size()) + " setting(s) passed into every server.properties");
  return lines;
}

}  // namespace

const ServerKind* FindServerKind(const std::string& name) {
  static const std::vector<ServerKind> kinds = {
      {"redis", PlanRedis, LayoutRedis},
      {"nats", PlanNats, LayoutNats},
      {"rabbitmq", PlanRabbitmq, LayoutRabbitmq},
      {"mosquitto", PlanMosquitto, LayoutMosquitto},
      {"kinesalite", PlanKinesalite, LayoutKinesalite},
      {"kafka", PlanKafka, LayoutKafka},
  };
  auto it = std::find_if(kinds.begin(), kinds.end(), [&](const ServerKind& k) { return k.name == name; });
  return it == kinds.end() ? nullptr : &*it;
}

std::string ProgramVersionLine(const LayoutContext& ctx, const std::vector<std::string>& argv) {
  SpawnRequest req;
  req.argv = argv;
  req.working_dir = ctx.work_dir;
  req.log_path = ctx.work_dir + "/version.out";
  Result<CommandOutput> out = RunToCompletion(*ctx.launcher, req, std::chrono::milliseconds(5000));
  if (!out.ok()) return "";
  std::string line = out->output.substr(0, out->output.find('\n'));
  return line;
}

ProcessPlan MakeProcessPlan(const LayoutContext& ctx, const std::string& name,
                            std::vector<std::string> argv) {
  ProcessPlan p;
  p.name = name;
  p.dir = ctx.work_dir + "/" + name;
  p.spawn.argv = std::move(argv);
  p.spawn.working_dir = p.dir;
  p.spawn.log_path = p.dir + "/" + name + ".log";
  p.spawn.cpus = ctx.settings->cpus;
  return p;
}

}  // namespace bakeoff
