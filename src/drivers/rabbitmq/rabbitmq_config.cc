#include "drivers/rabbitmq/rabbitmq_config.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "drivers/kit/host_port.h"
#include "spec/secrets.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;

// Consumers ack (multiple=true) once this many deliveries are unacked, at most half the prefetch.
constexpr int64_t kAckBatch = 100;

void Declare(OptionBinder<RabbitMqSettings>& b) {
  using S = RabbitMqSettings;
  b.String("url", &S::url)
      .Help(
          "Broker nodes as amqp://user:pass@host:port/vhost, comma-separated, one per node; replaces the "
          "environment's url. Put secrets in `password`, not in the url.");
  b.String("username", &S::username).Help("User name for every node (overrides the url's).");
  b.String("password", &S::password)
      .Secret()
      .Help("Password for every node (overrides the url's); use \"${env:NAME}\" or \"${file:PATH}\".");
  b.String("vhost", &S::vhost).Help("Virtual host for every node (overrides the url's path; default \"/\").");
  b.Enum("connect_to", &S::connect_to)
      .Choices({"spread", "first"})
      .Default("spread")
      .Help(
          "spread: producer/consumer i connects to node i % nodes; first: every client to the first node. "
          "Either way the other nodes are tried in order when a connect fails.");
  b.Enum("queue_type", &S::queue_type,
         {{"classic", RabbitQueueType::kClassic},
          {"quorum", RabbitQueueType::kQuorum},
          {"stream", RabbitQueueType::kStream}})
      .Default("quorum")
      .Help(
          "x-queue-type of the queue per stream: classic, quorum (replicated Raft log) or stream "
          "(append-only log; consumers read from the first offset).");
  b.Bool("persistent", &S::persistent)
      .Default(true)
      .Help(
          "Publish with delivery_mode 2 and declare durable queues. Quorum and stream queues are always "
          "durable and persist every message.");
  b.Bool("publisher_confirms", &S::publisher_confirms)
      .Default(true)
      .Help(
          "confirm.select: a send completes when the broker acks it (basic.ack/basic.nack). Off: completes "
          "when written to the socket (publish latency is then the client's).");
  b.Int("confirm_window", &S::confirm_window)
      .Default(1024)
      .Range(1, 1'000'000)
      .Help("Most unconfirmed publishes per producer; a full window pushes back on the producer.");
  b.Bool("mandatory", &S::mandatory)
      .Default(true)
      .Help(
          "Publish with the mandatory flag: a message no queue takes comes back (basic.return) and counts "
          "as a failed send instead of being confirmed and silently dropped.");
  b.Int("prefetch", &S::prefetch)
      .Default(1000)
      .Range(1, 65535)
      .Help(
          "basic.qos prefetch count per consumer channel (unacked deliveries in flight). Consumers ack "
          "manually, once per delivered batch with multiple=true.");
  b.Duration("heartbeat", &S::heartbeat)
      .Default(30s)
      .Range(0s, 3600s)
      .Help("AMQP heartbeat interval proposed to the broker (0 = off); whole seconds.");
  b.Bytes("frame_max", &S::frame_max_bytes)
      .Default(131072)
      .Range(4096, 2147483647)
      .Help("Largest AMQP frame proposed to the broker.");
  b.Duration("connect_timeout", &S::connect_timeout)
      .Default(10s)
      .Range(1ms, 600s)
      .Help("TCP connect and AMQP login handshake timeout, per node attempt.");
  b.Duration("rpc_timeout", &S::rpc_timeout)
      .Default(15s)
      .Range(1ms, 600s)
      .Help("Timeout of each synchronous AMQP method (declare, delete, qos, consume, close).");
  b.Duration("send_timeout", &S::send_timeout)
      .Default(10s)
      .Range(1ms, 600s)
      .Help(
          "How long the socket may stay too full to take a publish before the connection is given up (a "
          "broker that stopped reading); meanwhile sends push back.");
  b.StringMapOption("queue_arguments", &S::queue_arguments)
      .Help(
          "Extra queue.declare arguments, e.g. {x-quorum-initial-group-size: \"3\", x-max-length-bytes: "
          "\"1000000000\"}; values that are integers are sent as integers.");
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
  Result<drivers_kit::HostPort> hp = drivers_kit::ParseHostPort(authority, {"", node.port}, where);
  if (!hp.ok()) return hp.status();
  if (hp->host.empty()) return InvalidArgument(where + ": no host");
  node.host = hp->host;
  node.port = hp->port;
  return node;
}

}  // namespace

const OptionBinder<RabbitMqSettings>& RabbitMqOptions() {
  static const OptionBinder<RabbitMqSettings>* binder = [] {
    auto* b = new OptionBinder<RabbitMqSettings>();
    Declare(*b);
    return b;
  }();
  return *binder;
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
  Result<RabbitMqSettings> settings = RabbitMqOptions().Bind(options);
  if (!settings.ok()) return settings.status();
  RabbitMqConfig config = *settings;  // the bound fields
  std::string urls = settings->url.value_or("");
  if (urls.empty()) {
    auto it = endpoints.find("url");
    if (it != endpoints.end()) urls = it->second;
  }
  Result<std::vector<RabbitNode>> nodes = ParseRabbitUrls(urls);
  if (!nodes.ok()) return nodes.status();
  config.nodes = std::move(nodes).value();
  for (RabbitNode& node : config.nodes) {
    if (settings->username) node.username = *settings->username;
    if (settings->password) node.password = *settings->password;
    if (settings->vhost) node.vhost = *settings->vhost;
  }
  config.spread_connections = settings->connect_to == "spread";
  config.ack_batch = std::max<int64_t>(1, std::min(kAckBatch, config.prefetch / 2));
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
