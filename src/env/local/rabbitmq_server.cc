// rabbitmq-server: one node or an N-node cluster (classic-config peer discovery, nodes boot in
// parallel). Each environment runs its own epmd on an allocated port (ERL_EPMD_PORT), started by
// bakeoff so that it is recorded and stopped by PID. Everything binds 127.0.0.1.
#include <sstream>
#include <thread>

#include "env/local/server_kinds.h"
#include "env/process/ports.h"
#include "env/process/tcp_client.h"

namespace bakeoff {
namespace {

constexpr const char* kRabbitBin = "/usr/lib/rabbitmq/bin/";

struct PluginListener {
  const char* plugin;
  const char* endpoint_key;  // "" = no endpoint
  const char* scheme;
  std::vector<std::string> (*config)(int port);
};

const PluginListener kPluginListeners[] = {
    {"rabbitmq_stream", "stream_url", "rabbitmq-stream://guest:guest@",
     [](int p) {
       return std::vector<std::string>{"stream.listeners.tcp.1 = 127.0.0.1:" + std::to_string(p),
                                       "stream.advertised_host = 127.0.0.1",
                                       "stream.advertised_port = " + std::to_string(p)};
     }},
    {"rabbitmq_management", "management_url", "http://",
     [](int p) {
       return std::vector<std::string>{"management.tcp.port = " + std::to_string(p),
                                       "management.tcp.ip = 127.0.0.1"};
     }},
    {"rabbitmq_prometheus", "prometheus_url", "http://",
     [](int p) {
       return std::vector<std::string>{"prometheus.tcp.port = " + std::to_string(p),
                                       "prometheus.tcp.ip = 127.0.0.1"};
     }},
    {"rabbitmq_mqtt", "", "",
     [](int p) { return std::vector<std::string>{"mqtt.listeners.tcp.1 = 127.0.0.1:" + std::to_string(p)}; }},
    {"rabbitmq_stomp", "", "",
     [](int p) {
       return std::vector<std::string>{"stomp.listeners.tcp.1 = 127.0.0.1:" + std::to_string(p)};
     }},
};

struct RabbitNode {
  std::string name;  // rabbit1@localhost
  std::string dir;
  std::map<std::string, std::string> env;
  int amqp_port = 0;
};

// Runs rabbitmqctl against `node` with the node's environment (HOME for the cookie, the epmd port).
Result<CommandOutput> Rabbitmqctl(const LayoutContext& ctx, const RabbitNode& node,
                                  std::vector<std::string> args, std::chrono::milliseconds timeout,
                                  const std::string& tag) {
  SpawnRequest req;
  req.argv = {std::string(kRabbitBin) + "rabbitmqctl", "-n", node.name};
  for (std::string& a : args) req.argv.push_back(std::move(a));
  req.env = node.env;
  req.working_dir = node.dir;
  req.log_path = node.dir + "/rabbitmqctl-" + tag + ".out";
  return RunToCompletion(*ctx.launcher, req, timeout);
}

Result<ServerLayout> LayoutRabbitmq(const LayoutContext& ctx) {
  const LocalSettings& s = *ctx.settings;
  ServerLayout layout;
  Result<int> epmd_port = AllocateLoopbackPort();
  if (!epmd_port.ok()) return epmd_port.status();
  const std::string home = ctx.work_dir + "/home";
  // All nodes and rabbitmqctl share the cookie through HOME.
  layout.files[home + "/.erlang.cookie"] = ctx.env_id;  // loopback only, one per environment
  layout.private_files.push_back(home + "/.erlang.cookie");

  ProcessPlan epmd =
      MakeProcessPlan(ctx, "epmd", {"epmd", "-port", std::to_string(*epmd_port), "-address", "127.0.0.1"});
  epmd.ports = {*epmd_port};
  epmd.stop_grace = std::chrono::milliseconds(1000);
  layout.helpers.push_back(epmd);

  std::string enabled = "[";
  for (size_t i = 0; i < s.plugins.size(); ++i) enabled += (i ? "," : "") + s.plugins[i];
  enabled += "].\n";

  std::vector<RabbitNode> nodes;
  std::map<std::string, std::string> urls;  // endpoint key -> comma-separated list
  for (int i = 1; i <= s.nodes; ++i) {
    RabbitNode n;
    n.name = "rabbit" + std::to_string(i) + "@localhost";
    ProcessPlan plan =
        MakeProcessPlan(ctx, "rabbitmq-" + std::to_string(i), {std::string(kRabbitBin) + "rabbitmq-server"});
    n.dir = plan.dir;
    Result<int> amqp = AllocateLoopbackPort();
    Result<int> dist = AllocateLoopbackPort();
    if (!amqp.ok()) return amqp.status();
    if (!dist.ok()) return dist.status();
    n.amqp_port = *amqp;
    plan.ports = {*amqp, *dist};
    std::string conf =
        "# written by bakeoff (local provider)\nlisteners.tcp.1 = 127.0.0.1:" + std::to_string(*amqp) + "\n";
    conf += "log.console = true\nlog.console.level = info\nlog.file = false\n";
    for (const std::string& plugin : s.plugins) {
      for (const PluginListener& l : kPluginListeners) {
        if (plugin != l.plugin) continue;
        Result<int> port = AllocateLoopbackPort();
        if (!port.ok()) return port.status();
        plan.ports.push_back(*port);
        for (const std::string& line : l.config(*port)) conf += line + "\n";
        if (*l.endpoint_key != '\0') {
          std::string& list = urls[l.endpoint_key];
          list += (list.empty() ? "" : ",") + std::string(l.scheme) + "127.0.0.1:" + std::to_string(*port);
        }
      }
    }
    if (s.nodes > 1) {
      conf += "cluster_formation.peer_discovery_backend = classic_config\n";
      for (int j = 1; j <= s.nodes; ++j) {
        conf += "cluster_formation.classic_config.nodes." + std::to_string(j) + " = rabbit" +
                std::to_string(j) + "@localhost\n";
      }
    }
    for (const auto& [k, v] : s.config) conf += k + " = " + v + "\n";
    layout.files[n.dir + "/rabbitmq.conf"] = conf;
    layout.files[n.dir + "/enabled_plugins"] = enabled;
    layout.files[n.dir + "/rabbitmq-env.conf"] = "# empty: keeps /etc/rabbitmq/rabbitmq-env.conf out\n";
    n.env = {
        {"HOME", home},
        {"RABBITMQ_NODENAME", n.name},
        {"RABBITMQ_USE_LONGNAME", "false"},
        {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
        {"RABBITMQ_NODE_PORT", std::to_string(*amqp)},
        {"RABBITMQ_DIST_PORT", std::to_string(*dist)},
        {"RABBITMQ_MNESIA_BASE", n.dir + "/mnesia"},
        {"RABBITMQ_LOG_BASE", n.dir + "/log"},
        {"RABBITMQ_LOGS", "-"},
        {"RABBITMQ_ENABLED_PLUGINS_FILE", n.dir + "/enabled_plugins"},
        {"RABBITMQ_PLUGINS_EXPAND_DIR", n.dir + "/plugins-expand"},
        {"RABBITMQ_CONFIG_FILE", n.dir + "/rabbitmq.conf"},
        {"RABBITMQ_ADVANCED_CONFIG_FILE", n.dir + "/advanced.config"},
        {"RABBITMQ_CONF_ENV_FILE", n.dir + "/rabbitmq-env.conf"},
        {"RABBITMQ_PID_FILE", n.dir + "/rabbitmq.pid"},
        {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"},
        {"ERL_EPMD_ADDRESS", "127.0.0.1"},
        {"ERL_EPMD_PORT", std::to_string(*epmd_port)},
        // The start script then execs the VM instead of staying as a signal-forwarding shell, so the
        // PID bakeoff records is the broker's own.
        {"RUNNING_UNDER_SYSTEMD", "true"},
    };
    plan.spawn.env = n.env;
    plan.stop_grace = std::chrono::milliseconds(30000);
    urls["url"] += (urls["url"].empty() ? "" : ",") + std::string("amqp://guest:guest@127.0.0.1:") +
                   std::to_string(*amqp);
    layout.nodes.push_back(std::move(plan));
    nodes.push_back(std::move(n));
  }
  layout.endpoints = urls;
  layout.facts["server"] = "rabbitmq";
  std::string plugins;
  for (const std::string& p : s.plugins) plugins += (plugins.empty() ? "" : ",") + p;
  layout.facts["plugins"] = plugins.empty() ? "none" : plugins;
  {
    // /usr/lib/rabbitmq/bin/rabbitmq-server -> ../lib/rabbitmq_server-3.10.8/sbin/rabbitmq-server
    char target[512];
    const ssize_t n =
        readlink((std::string(kRabbitBin) + "rabbitmq-server").c_str(), target, sizeof(target) - 1);
    std::string t = n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
    const size_t at = t.find("rabbitmq_server-");
    layout.facts["server_version"] =
        at == std::string::npos ? "" : "RabbitMQ " + t.substr(at + 16, t.find('/', at) - at - 16);
  }
  const LayoutContext context = ctx;
  const int expected = s.nodes;
  layout.probe = [context, nodes, expected](std::chrono::milliseconds budget) -> Status {
    // Cheap first: the AMQP listener opens only late in the boot.
    for (const RabbitNode& n : nodes) {
      if (!TcpClient::Connect(n.amqp_port, budget).ok())
        return Unavailable(n.name + ": AMQP port not open yet");
    }
    const auto ctl_timeout = std::chrono::milliseconds(30000);
    for (const RabbitNode& n : nodes) {
      Result<CommandOutput> out = Rabbitmqctl(context, n, {"await_startup"}, ctl_timeout, "await");
      if (!out.ok()) return out.status();
      if (out->exit_code != 0) return Unavailable(n.name + ": rabbitmqctl await_startup: " + out->output);
    }
    if (expected > 1) {
      Result<CommandOutput> out =
          Rabbitmqctl(context, nodes[0], {"cluster_status", "--formatter", "json"}, ctl_timeout, "cluster");
      if (!out.ok()) return out.status();
      const size_t running = out->output.find("\"running_nodes\"");
      const size_t end = out->output.find(']', running);
      if (out->exit_code != 0 || running == std::string::npos)
        return Unavailable("cluster_status: " + out->output);
      const std::string list = out->output.substr(running, end - running);
      for (const RabbitNode& n : nodes) {
        if (list.find(n.name) == std::string::npos)
          return Unavailable(n.name + " not in the cluster yet: " + list);
      }
    }
    return Status::Ok();
  };
  return layout;
}

std::vector<std::string> PlanRabbitmq(const LocalSettings& s) {
  std::string plugins;
  for (const std::string& p : s.plugins) plugins += (plugins.empty() ? "" : ",") + p;
  return {"epmd on an allocated port (127.0.0.1), stopped by PID on destroy",
          "rabbitmq-server, " + NodesText(s, "node") +
              " with their own HOME, node names and allocated AMQP and distribution ports" +
              (plugins.empty() ? "" : ", plugins " + plugins)};
}

// `plugins: "a, b"`: each a plugin name (it is written into enabled_plugins).
Status ReadRabbitmqOptions(const OptionValues& values, LocalSettings& s) {
  std::istringstream plugins(values.GetString("plugins"));
  for (std::string p; std::getline(plugins, p, ',');) {
    p.erase(0, p.find_first_not_of(" \t"));
    p.erase(p.find_last_not_of(" \t") + 1);
    if (p.empty()) continue;
    if (!IsSettingName(p)) return InvalidArgument("local: plugin name `" + p + "` is not valid");
    s.plugins.push_back(p);
  }
  return Status::Ok();
}

}  // namespace

const ServerKind& RabbitmqServerKind() {
  static const ServerKind kind = {
      .name = "rabbitmq",
      .drivers = {"rabbitmq"},
      .help = "rabbitmq-server with its own epmd",
      .config_help = "rabbitmq.conf keys",
      .max_nodes = 9,
      .default_startup_timeout = std::chrono::milliseconds(60000),
      .options = {Option("plugins", OptionType::kString, std::nullopt,
                         "comma-separated plugins to enable, e.g. rabbitmq_stream (its listener gets an "
                         "allocated port).")},
      .read_options = ReadRabbitmqOptions,
      .plan = PlanRabbitmq,
      .layout = LayoutRabbitmq,
  };
  return kind;
}

}  // namespace bakeoff
