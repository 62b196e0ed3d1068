// kinesalite: the Kinesis API in memory (npm package installed by scripts/setup.sh into tools/node/),
// started through tools/node/kinesalite-local.js so that it binds 127.0.0.1 only.
#include <unistd.h>

#include <cstdlib>

#include "env/local/probes.h"
#include "env/local/server_kinds.h"
#include "env/process/files.h"
#include "env/process/ports.h"

namespace bakeoff {
namespace {

// $BAKEOFF_NODE_TOOLS, else the source tree's tools/node, else ./tools/node.
std::string NodeToolsDir() {
  if (const char* dir = std::getenv("BAKEOFF_NODE_TOOLS"); dir != nullptr && *dir != '\0') return dir;
  for (const std::string& dir : {std::string(BAKEOFF_NODE_TOOLS_DIR), std::string("tools/node")}) {
    if (access((dir + "/node_modules/kinesalite/package.json").c_str(), R_OK) == 0) return dir;
  }
  return BAKEOFF_NODE_TOOLS_DIR;
}

std::string KinesaliteVersion(const std::string& tools) {
  Result<std::string> text = ReadTextFile(tools + "/node_modules/kinesalite/package.json");
  if (!text.ok()) return "";
  const size_t key = text->find("\"version\"");
  if (key == std::string::npos) return "";
  const size_t open = text->find('"', text->find(':', key));
  const size_t close = text->find('"', open + 1);
  return "kinesalite " + text->substr(open + 1, close - open - 1);
}

Result<ServerLayout> LayoutKinesalite(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  if (s.nodes != 1) return InvalidArgument("local kinesalite: only `nodes: 1` is supported");
  const std::string tools = NodeToolsDir();
  if (access((tools + "/node_modules/kinesalite/package.json").c_str(), R_OK) != 0) {
    return NotFound(
        "local kinesalite: not installed in " + tools +
        "/node_modules; run ./scripts/setup.sh (it runs `npm ci` there) or set BAKEOFF_NODE_TOOLS");
  }
  Result<int> port = AllocateLoopbackPort();
  if (!port.ok()) return port.status();
  ServerLayout layout;
  ProcessPlan node = MakeProcessPlan(ctx, "kinesalite-1", {});
  node.spawn.argv = {"node", tools + "/kinesalite-local.js", "--port", std::to_string(*port)};
  // Settings are kinesalite options: createStreamMs, deleteStreamMs, updateStreamMs, shardLimit.
  for (const auto& [k, v] : s.config) {
    node.spawn.argv.push_back("--" + k);
    node.spawn.argv.push_back(v);
  }
  node.ports = {*port};
  layout.endpoints = {{"url", "http://127.0.0.1:" + std::to_string(*port)}, {"region", "us-east-1"}};
  layout.facts["server"] = "kinesalite";
  layout.facts["stand_in"] = "kinesalite (Kinesis API emulator)";
  layout.facts["server_version"] = KinesaliteVersion(tools);
  const int p = *port;
  layout.probe = [p](std::chrono::milliseconds budget) { return ProbeKinesis(p, budget); };
  layout.nodes.push_back(std::move(node));
  return layout;
}

std::vector<std::string> PlanKinesalite(const LocalSettings&) {
  return {"kinesalite (Kinesis API, in memory) on 127.0.0.1 and an allocated port"};
}

}  // namespace

const ServerKind& KinesaliteServerKind() {
  static const ServerKind kind = {
      .name = "kinesalite",
      .drivers = {"kinesis"},
      .help = "kinesalite, a Kinesis API emulator in memory (from npm)",
      .config_help = "kinesalite options (createStreamMs, deleteStreamMs, updateStreamMs, shardLimit)",
      .plan = PlanKinesalite,
      .layout = LayoutKinesalite,
  };
  return kind;
}

}  // namespace bakeoff
