// redis-server: one node, config file in its directory, persistence off unless the user's settings
// turn it on (`appendonly: "yes"`, `save: "900 1"`).
#include "env/local/probes.h"
#include "env/local/server_kinds.h"
#include "env/process/ports.h"

namespace bakeoff {
namespace {

Result<ServerLayout> LayoutRedis(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  if (s.nodes != 1)
    return InvalidArgument("local redis: only `nodes: 1` is supported (got " + std::to_string(s.nodes) + ")");
  Result<int> port = AllocateLoopbackPort();
  if (!port.ok()) return port.status();
  ServerLayout layout;
  ProcessPlan node = MakeProcessPlan(ctx, "redis-1", {});
  const std::string conf = node.dir + "/redis.conf";
  node.spawn.argv = {"redis-server", conf};
  node.ports = {*port};
  node.stop_grace = std::chrono::milliseconds(10000);  // a final save may take a while
  std::map<std::string, std::string> settings = {
      {"bind", "127.0.0.1"}, {"port", std::to_string(*port)},
      {"dir", node.dir},     {"daemonize", "no"},
      {"save", "\"\""},      {"appendonly", "no"},
      {"logfile", "\"\""},   {"protected-mode", "yes"},
  };
  for (const auto& [k, v] : s.config) settings[k] = v;  // the user's settings win
  std::string text = "# written by bakeoff (local provider)\n";
  for (const auto& [k, v] : settings) text += k + " " + v + "\n";
  layout.files[conf] = text;
  layout.endpoints = {{"url", "redis://127.0.0.1:" + std::to_string(*port)}};
  layout.facts["server"] = "redis";
  layout.facts["server_version"] = ProgramVersionLine(ctx, {"redis-server", "--version"});
  const int p = *port;
  layout.probe = [p](std::chrono::milliseconds budget) { return ProbeRedis(p, budget); };
  layout.nodes.push_back(std::move(node));
  return layout;
}

std::vector<std::string> PlanRedis(const LocalSettings& s) {
  return {
      "redis-server, " + NodesText(s, "node") +
      ", 127.0.0.1 on an allocated port, config written to the work directory" +
      (s.config.empty() ? "" : " with " + std::to_string(s.config.size()) + " setting(s) passed through")};
}

}  // namespace

const ServerKind& RedisServerKind() {
  static const ServerKind kind = {
      .name = "redis",
      .drivers = {"redis-streams"},
      .help = "redis-server",
      .config_help = "redis.conf settings, e.g. {appendonly: \"yes\", appendfsync: everysec}",
      .plan = PlanRedis,
      .layout = LayoutRedis,
  };
  return kind;
}

}  // namespace bakeoff
