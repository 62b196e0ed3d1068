// nats-server: one node or an N-node cluster (full mesh of routes on allocated ports), JetStream on or
// off. Healthy = every node answers PING and, with JetStream, `$JS.API.INFO` (meta leader elected).
#include "env/local/probes.h"
#include "env/local/server_kinds.h"
#include "env/process/ports.h"

namespace bakeoff {
namespace {

Result<ServerLayout> LayoutNats(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  std::vector<int> client_ports, route_ports;
  for (int i = 0; i < s.nodes; ++i) {
    Result<int> client = AllocateLoopbackPort();
    if (!client.ok()) return client.status();
    client_ports.push_back(*client);
    if (s.nodes > 1) {
      Result<int> route = AllocateLoopbackPort();
      if (!route.ok()) return route.status();
      route_ports.push_back(*route);
    }
  }
  ServerLayout layout;
  std::string urls;
  for (int i = 0; i < s.nodes; ++i) {
    const std::string name = "nats-" + std::to_string(i + 1);
    ProcessPlan node = MakeProcessPlan(ctx, name, {});
    const std::string conf = node.dir + "/nats.conf";
    node.spawn.argv = {"nats-server", "-c", conf};
    node.ports = {client_ports[i]};
    node.stop_grace = std::chrono::milliseconds(5000);
    std::string text = "# written by bakeoff (local provider)\n";
    text += "server_name: \"" + name + "\"\n";
    text += "listen: \"127.0.0.1:" + std::to_string(client_ports[i]) + "\"\n";
    if (s.jetstream) {
      text += "jetstream {\n  store_dir: \"" + node.dir + "/jetstream\"\n";
      if (s.storage == "memory") text += "  max_file_store: 0\n";
      text += "}\n";
    }
    if (s.nodes > 1) {
      node.ports.push_back(route_ports[i]);
      text += "cluster {\n  name: \"" + ctx.env_id +
              "\"\n  listen: \"127.0.0.1:" + std::to_string(route_ports[i]) + "\"\n  routes: [\n";
      for (int j = 0; j < s.nodes; ++j) {
        if (j != i) text += "    \"nats-route://127.0.0.1:" + std::to_string(route_ports[j]) + "\"\n";
      }
      text += "  ]\n}\n";
    }
    for (const auto& [k, v] : s.config) text += k + ": " + v + "\n";
    layout.files[conf] = text;
    urls += (urls.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(client_ports[i]);
    layout.nodes.push_back(std::move(node));
  }
  layout.endpoints = {{"url", urls}};
  if (s.jetstream) layout.endpoints["jetstream_storage"] = s.storage;
  layout.facts["server"] = "nats";
  layout.facts["server_version"] = ProgramVersionLine(ctx, {"nats-server", "--version"});
  layout.facts["jetstream"] = s.jetstream ? "on" : "off";
  if (s.jetstream) layout.facts["jetstream_storage"] = s.storage;
  const bool js = s.jetstream;
  layout.probe = [client_ports, js](std::chrono::milliseconds budget) {
    for (int port : client_ports) BAKEOFF_RETURN_IF_ERROR(ProbeNats(port, js, budget));
    return Status::Ok();
  };
  return layout;
}

std::vector<std::string> PlanNats(const LocalSettings& s) {
  std::string js = s.jetstream ? ", JetStream on (" + s.storage + " storage)" : ", JetStream off";
  return {"nats-server, " + NodesText(s, "node") + js + ", 127.0.0.1 on allocated client" +
          (s.nodes > 1 ? " and cluster route ports" : " port")};
}

Status ReadNatsOptions(const OptionValues& values, LocalSettings& s) {
  s.jetstream = values.GetBool("jetstream", true);
  s.storage = values.GetString("storage", "file");
  return Status::Ok();
}

// The nats-jetstream driver needs JetStream, and streams the server accepts.
Status CheckNatsSystem(const SystemSpec& system, LocalSettings& s) {
  if (system.driver != "nats-jetstream") return Status::Ok();
  if (!s.jetstream) {
    return InvalidArgument(
        "local: the nats-jetstream driver needs JetStream; the environment has "
        "`jetstream: false` (remove it, or use the `nats` driver)");
  }
  const std::string wanted = system.options.GetString("storage", "file");
  if (s.storage == "memory" && wanted == "file") {
    return InvalidArgument(
        "local: the environment's `storage: memory` makes the server refuse file-backed "
        "streams, and the driver's `storage` is `file`: set `options.storage: memory` "
        "or the environment's `storage: file`");
  }
  return Status::Ok();
}

std::vector<OptionSpec> NatsOptions() {
  OptionSpec jetstream = Option("jetstream", OptionType::kBool, std::nullopt,
                                "enable JetStream (health then waits for the JetStream meta leader). "
                                "Default true.");
  OptionSpec storage = Option("storage", OptionType::kEnum, std::nullopt,
                              "JetStream storage: file, or memory (the server refuses file-backed "
                              "streams). Default file.");
  storage.choices = {"file", "memory"};
  return {jetstream, storage};
}

}  // namespace

const ServerKind& NatsServerKind() {
  static const ServerKind kind = {
      .name = "nats",
      .drivers = {"nats", "nats-jetstream"},
      .help = "nats-server, JetStream on unless `jetstream: false`",
      .config_help = "nats.conf keys",
      .max_nodes = 9,
      .options = NatsOptions(),
      .read_options = ReadNatsOptions,
      .check_system = CheckNatsSystem,
      .plan = PlanNats,
      .layout = LayoutNats,
  };
  return kind;
}

}  // namespace bakeoff
