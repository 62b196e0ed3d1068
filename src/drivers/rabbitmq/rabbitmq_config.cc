#include "drivers/rabbitmq/rabbitmq_config.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "spec/secrets.h"

namespace bakeoff {
namespace {

OptionSchema MakeSchema() {
  OptionSchema s;
  s.options = {
      {.name = "url",
       .type = OptionType::kString,
       .optional = true,
       .help = "Broker nodes as amqp://user:pass@host:port/vhost, comma-separated, one per node; replaces "
               "the environment's url. Put secrets in `password`, not in the url."},
      {.name = "username",
       .type = OptionType::kString,
       .optional = true,
       .help = "User name for every node (overrides the url's)."},
      {.name = "password",
       .type = OptionType::kString,
       .optional = true,
       .help = "Password for every node (overrides the url's); use \"${env:NAME}\" or \"${file:PATH}\".",
       .secret = true},
      {.name = "vhost",
       .type = OptionType::kString,
       .optional = true,
       .help = "Virtual host for every node (overrides the url's path; default \"/\")."},
      {.name = "connect_to",
       .type = OptionType::kEnum,
       .default_value = std::string("spread"),
       .help = "spread: producer/consumer i connects to node i % nodes; first: every client to the first "
               "node. Either way the other nodes are tried in order when a connect fails.",
       .choices = {"spread", "first"}},
      {.name = "queue_type",
       .type = OptionType::kEnum,
       .default_value = std::string("quorum"),
       .help = "x-queue-type of the queue per stream: classic, quorum (replicated Raft log) or stream "
               "(append-only log; consumers read from the first offset).",
       .choices = {"classic", "quorum", "stream"}},
      {.name = "persistent",
       .type = OptionType::kBool,
       .default_value = true,
       .help = "Publish with delivery_mode 2 and declare durable queues. Quorum and stream queues are "
               "always durable and persist every message."},
      {.name = "publisher_confirms",
       .type = OptionType::kBool,
       .default_value = true,
       .help = "confirm.select: a send completes when the broker acks it (basic.ack/basic.nack). Off: "
               "completes when written to the socket (publish latency is then the client's)."},
      {.name = "confirm_window",
       .type = OptionType::kInt,
       .default_value = int64_t{1024},
       .help = "Most unconfirmed publishes per producer; a full window pushes back on the producer.",
       .min = 1,
       .max = 1'000'000},
      {.name = "mandatory",
       .type = OptionType::kBool,
       .default_value = true,
       .help = "Publish with the mandatory flag: a message no queue takes comes back (basic.return) and "
               "counts as a failed send instead of being confirmed and silently dropped."},
      {.name = "prefetch",
       .type = OptionType::kInt,
       .default_value = int64_t{1000},
       .help = "basic.qos prefetch count per consumer channel (unacked deliveries in flight). Consumers ack "
               "manually, once per delivered batch with multiple=true.",
       .min = 1,
       .max = 65535},
      {.name = "heartbeat",
       .type = OptionType::kDuration,
       .default_value = int64_t{30'000'000'000},
       .help = "AMQP heartbeat interval proposed to the broker (0 = off); whole seconds.",
       .min = 0,
       .max = 3600},
      {.name = "frame_max",
       .type = OptionType::kBytes,
       .default_value = int64_t{131072},
       .help = "Largest AMQP frame proposed to the broker.",
       .min = 4096,
       .max = 2147483647},
      {.name = "connect_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{10'000'000'000},
       .help = "TCP connect and AMQP login handshake timeout, per node attempt.",
       .min = 0.001,
       .max = 600},
      {.name = "rpc_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{15'000'000'000},
       .help = "Timeout of each synchronous AMQP method (declare, delete, qos, consume, close).",
       .min = 0.001,
       .max = 600},
      {.name = "send_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{10'000'000'000},
       .help = "How long the socket may stay too full to take a publish before the connection is given up "
               "(a broker that stopped reading); meanwhile sends push back.",
       .min = 0.001,
       .max = 600},
      {.name = "queue_arguments",
       .type = OptionType::kStringMap,
       .optional = true,
       .help = "Extra queue.declare arguments, e.g. {x-quorum-initial-group-size: \"3\", "
               "x-max-length-bytes: \"1000000000\"}; values that are integers are sent as integers."},
  };
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<RabbitNode> ParseOneUrl(std::string_view url, size_t position) {
  const std::string where = "rabbitmq: url entry " + std::to_string(position + 1);
  constexpr std::string_view kScheme = "amqp://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument(where + " must start with amqp:// (amqps is not supported)");
  }
  url.remove_prefix(kScheme.size());
  RabbitNode node;
  node.username = "guest";
  node.password = "guest";
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = url.substr(slash + 1);
    if (!path.empty() && !PercentDecode(path, node.vhost))
      return InvalidArgument(where + ": bad vhost escape");
  }
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const size_t colon = userinfo.find(':');
    if (!PercentDecode(userinfo.substr(0, colon), node.username)) {
      return InvalidArgument(where + ": bad user name escape");
    }
    node.password.clear();
    if (colon != std::string_view::npos && !PercentDecode(userinfo.substr(colon + 1), node.password)) {
      return InvalidArgument(where + ": bad password escape");
    }
  }
  std::string_view host = authority;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) return InvalidArgument(where + ": bad port");
    int value = 0;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return InvalidArgument(where + ": bad port");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return InvalidArgument(where + ": port out of range");
    node.port = value;
  }
  if (host.empty()) return InvalidArgument(where + ": no host");
  node.host = std::string(host);
  return node;
}

}  // namespace

const OptionSchema& RabbitMqOptionSchema() {
  static const OptionSchema schema = MakeSchema();
  return schema;
}

const char* RabbitMqConfig::queue_type_name() const {
  switch (queue_type) {
    case RabbitQueueType::kClassic:
      return "classic";
    case RabbitQueueType::kQuorum:
      return "quorum";
    case RabbitQueueType::kStream:
      return "stream";
  }
  return "classic";
}

Result<std::vector<RabbitNode>> ParseRabbitUrls(const std::string& urls) {
  std::vector<RabbitNode> nodes;
  std::string_view rest = urls;
  size_t position = 0;
  while (true) {
    const size_t comma = rest.find(',');
    std::string_view entry = Trim(rest.substr(0, comma));
    if (!entry.empty()) {
      Result<RabbitNode> node = ParseOneUrl(entry, position);
      if (!node.ok()) return node.status();
      nodes.push_back(std::move(node).value());
    }
    ++position;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (nodes.empty()) return InvalidArgument("rabbitmq: no broker url (option `url` or the environment's)");
  return nodes;
}

Result<RabbitMqConfig> BuildRabbitMqConfig(const OptionValues& options, const Endpoints& endpoints) {
  RabbitMqConfig config;
  std::string urls = options.GetString("url");
  if (urls.empty()) {
    auto it = endpoints.find("url");
    if (it != endpoints.end()) urls = it->second;
  }
  Result<std::vector<RabbitNode>> nodes = ParseRabbitUrls(urls);
  if (!nodes.ok()) return nodes.status();
  config.nodes = std::move(nodes).value();
  for (RabbitNode& node : config.nodes) {
    if (options.Has("username")) node.username = options.GetString("username");
    if (options.Has("password")) node.password = options.GetString("password");
    if (options.Has("vhost")) node.vhost = options.GetString("vhost");
  }
  config.spread_connections = options.GetString("connect_to", "spread") == "spread";
  const std::string type = options.GetString("queue_type", "quorum");
  if (type == "classic") {
    config.queue_type = RabbitQueueType::kClassic;
  } else if (type == "quorum") {
    config.queue_type = RabbitQueueType::kQuorum;
  } else if (type == "stream") {
    config.queue_type = RabbitQueueType::kStream;
  } else {
    return InvalidArgument("rabbitmq: queue_type must be classic, quorum or stream");
  }
  config.persistent = options.GetBool("persistent", true);
  config.publisher_confirms = options.GetBool("publisher_confirms", true);
  config.mandatory = options.GetBool("mandatory", true);
  config.confirm_window = options.GetInt("confirm_window", 1024);
  config.prefetch = options.GetInt("prefetch", 1000);
  config.ack_batch = std::max<int64_t>(1, std::min(options.GetInt("ack_batch", 100), config.prefetch / 2));
  config.ack_interval = options.GetDuration("ack_interval", std::chrono::milliseconds(5));
  config.frame_max_bytes = options.GetInt("frame_max", 131072);
  config.heartbeat = std::chrono::duration_cast<std::chrono::seconds>(
      options.GetDuration("heartbeat", std::chrono::seconds(30)));
  config.connect_timeout = options.GetDuration("connect_timeout", std::chrono::seconds(10));
  config.rpc_timeout = options.GetDuration("rpc_timeout", std::chrono::seconds(15));
  config.send_timeout = options.GetDuration("send_timeout", std::chrono::seconds(10));
  config.queue_arguments = options.GetStringMap("queue_arguments");
  if (config.confirm_window < 1 || config.prefetch < 1) {
    return InvalidArgument("rabbitmq: confirm_window and prefetch must be at least 1");
  }
  return config;
}

Result<RabbitCredentials> ResolvedCredentials(const RabbitNode& node) {
  Result<std::string> user = ResolveSecretReferences(node.username);
  if (!user.ok()) return Status(user.status().code(), "rabbitmq: username: " + user.status().message());
  Result<std::string> password = ResolveSecretReferences(node.password);
  if (!password.ok()) {
    return Status(password.status().code(), "rabbitmq: password: " + password.status().message());
  }
  return RabbitCredentials{std::move(user).value(), std::move(password).value()};
}

std::string RabbitQueueName(const TopicLayout& layout, uint32_t stream) {
  const uint32_t partitions = static_cast<uint32_t>(std::max(1, layout.partitions));
  const uint32_t topic = stream / partitions;
  const std::string name = topic < layout.topics.size() ? layout.topics[topic] : std::string("?");
  return name + "." + std::to_string(stream % partitions);
}

std::string RabbitSubscriptionQueueName(const TopicLayout& layout, uint32_t stream, int subscription,
                                        int subscriptions) {
  const std::string name = RabbitQueueName(layout, stream);
  return subscriptions <= 1 ? name : name + ".s" + std::to_string(subscription);
}

}  // namespace bakeoff
