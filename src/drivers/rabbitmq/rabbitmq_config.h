// Configuration of the rabbitmq driver: the option schema and the validated, resolved settings that the
// session, producers and consumers share. Secrets ("${env:NAME}" in `password` or in the url) are
// resolved only by ResolvedCredentials() when a client connects; RabbitMqConfig keeps reference text.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "drivers/driver.h"
#include "spec/option_binding.h"
#include "spec/option_schema.h"

namespace bakeoff {

enum class RabbitQueueType { kClassic, kQuorum, kStream };

// One broker node of the "url" list.
struct RabbitNode {
  std::string host;
  int port = 5672;
  std::string vhost = "/";
  std::string username;  // may hold a secret reference
  std::string password;  // may hold a secret reference
};

struct RabbitMqConfig {
  std::vector<RabbitNode> nodes;
  bool spread_connections = true;  // client i -> node (i % nodes); else every client -> first node
  RabbitQueueType queue_type = RabbitQueueType::kQuorum;
  bool persistent = true;          // delivery_mode 2
  bool publisher_confirms = true;  // confirm.select
  bool mandatory = true;           // unroutable messages come back (basic.return) and count as failed
  int64_t confirm_window = 1024;   // unconfirmed publishes per producer
  int64_t prefetch = 1000;         // basic.qos per consumer channel
  int64_t ack_batch = 100;         // consumer acks (multiple=true) once this many deliveries are unacked
  std::chrono::nanoseconds ack_interval{std::chrono::milliseconds(5)};  // ... or the oldest is this old
  int64_t frame_max_bytes = 131072;
  std::chrono::seconds heartbeat{30};
  std::chrono::nanoseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::nanoseconds rpc_timeout{std::chrono::seconds(15)};
  std::chrono::nanoseconds send_timeout{std::chrono::seconds(10)};
  std::map<std::string, std::string> queue_arguments;  // extra x-arguments for queue.declare

  // Queues are durable for persistent messages and always for quorum and stream queues.
  bool durable_queues() const { return persistent || queue_type != RabbitQueueType::kClassic; }
  const char* queue_type_name() const;
  // The node client `index` connects to first (the others follow in order on failure).
  size_t first_node_for(int index) const {
    return spread_connections && !nodes.empty() ? static_cast<size_t>(index) % nodes.size() : 0;
  }
};

// What the options bind to: the config's own fields plus those BuildRabbitMqConfig turns into nodes.
struct RabbitMqSettings : RabbitMqConfig {
  std::optional<std::string> url;
  std::optional<std::string> username;
  std::optional<std::string> password;  // a secret reference
  std::optional<std::string> vhost;
  std::string connect_to;  // spread | first
};

const OptionBinder<RabbitMqSettings>& RabbitMqOptions();
inline const OptionSchema& RabbitMqOptionSchema() {
  return RabbitMqOptions().schema();
}

// Validates options and endpoints into a config. The option `url` replaces the environment's "url";
// `username`/`password`/`vhost` override what the URLs say.
Result<RabbitMqConfig> BuildRabbitMqConfig(const OptionValues& options, const Endpoints& endpoints);

// Parses "amqp://user:pass@host:port/vhost,amqp://..." (comma-separated, one per node). Errors quote
// the position of the bad entry, never a password.
Result<std::vector<RabbitNode>> ParseRabbitUrls(const std::string& urls);

struct RabbitCredentials {
  std::string username;
  std::string password;
};
// Resolves secret references of one node's credentials; errors name the reference, never the value.
Result<RabbitCredentials> ResolvedCredentials(const RabbitNode& node);

// The queue of stream `stream`: "<topic>.<partition>". With fan-out it is the name of the stream's fanout
// exchange instead, and subscription k reads the queue "<topic>.<partition>.s<k>" bound to it.
std::string RabbitQueueName(const TopicLayout& layout, uint32_t stream);
// The queue subscription `subscription` of `subscriptions` reads for `stream` (RabbitQueueName with one).
std::string RabbitSubscriptionQueueName(const TopicLayout& layout, uint32_t stream, int subscription,
                                        int subscriptions);

}  // namespace bakeoff
