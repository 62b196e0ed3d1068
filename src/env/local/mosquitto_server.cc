// mosquitto: one broker with `listener PORT 127.0.0.1` and `allow_anonymous true`, in-memory unless the
// user's settings turn persistence on.
#include <pwd.h>
#include <unistd.h>

#include "env/local/probes.h"
#include "env/local/server_kinds.h"
#include "env/process/ports.h"

namespace bakeoff {
namespace {

Result<ServerLayout> LayoutMosquitto(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  if (s.nodes != 1) return InvalidArgument("local mosquitto: only `nodes: 1` is supported");
  Result<int> port = AllocateLoopbackPort();
  if (!port.ok()) return port.status();
  ServerLayout layout;
  ProcessPlan node = MakeProcessPlan(ctx, "mosquitto-1", {});
  const std::string conf = node.dir + "/mosquitto.conf";
  node.spawn.argv = {"mosquitto", "-c", conf};
  node.ports = {*port};
  std::string text = "# written by bakeoff (local provider)\n";
  text += "listener " + std::to_string(*port) + " 127.0.0.1\nallow_anonymous true\nlog_dest stdout\n";
  // Run as the current user: as root, mosquitto would otherwise switch to user `mosquitto`, which cannot
  // write the work directory.
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr) text += std::string("user ") + pw->pw_name + "\n";
  text += "persistence_location " + node.dir + "/\n";
  if (s.config.count("persistence") == 0) text += "persistence false\n";
  for (const auto& [k, v] : s.config) text += k + " " + v + "\n";
  layout.files[conf] = text;
  layout.endpoints = {{"url", "mqtt://127.0.0.1:" + std::to_string(*port)}};
  layout.facts["server"] = "mosquitto";
  layout.facts["server_version"] = ProgramVersionLine(ctx, {"mosquitto", "-h"});
  const int p = *port;
  layout.probe = [p](std::chrono::milliseconds budget) { return ProbeMqtt(p, budget); };
  layout.nodes.push_back(std::move(node));
  return layout;
}

std::vector<std::string> PlanMosquitto(const LocalSettings&) {
  return {"mosquitto, 1 node, `listener PORT 127.0.0.1` and `allow_anonymous true` in its config"};
}

}  // namespace

const ServerKind& MosquittoServerKind() {
  static const ServerKind kind = {
      .name = "mosquitto",
      .drivers = {"mqtt"},
      .help = "the mosquitto MQTT broker",
      .config_help = "mosquitto.conf keys",
      .plan = PlanMosquitto,
      .layout = LayoutMosquitto,
  };
  return kind;
}

}  // namespace bakeoff
