#include "drivers/kafka/kafka_config.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "spec/secrets.h"

namespace bakeoff {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

OptionSpec Choices(OptionSpec spec, std::vector<std::string> choices) {
  spec.choices = std::move(choices);
  return spec;
}

OptionSpec Int(const char* name, int64_t default_value, double min, double max, const char* help) {
  return InRange(Option(name, OptionType::kInt, default_value, help), min, max);
}

OptionSpec Bytes(const char* name, int64_t default_value, double min, double max, const char* help) {
  return InRange(Option(name, OptionType::kBytes, default_value, help), min, max);
}

OptionSpec Enum(const char* name, const char* default_value, std::vector<std::string> choices,
                const char* help) {
  return Choices(Option(name, OptionType::kEnum, std::string(default_value), help), std::move(choices));
}

OptionSchema MakeSchema() {
  using StringMap = std::map<std::string, std::string>;
  OptionSpec password =
      Option("sasl_password", OptionType::kString, std::nullopt,
             "SASL password as a reference, e.g. ${env:EVENTHUBS_CONNECTION_STRING}; resolved at "
             "connect time, never stored.");
  password.secret = true;
  OptionSchema s;
  s.options = {
      // Connection and security.
      Option("bootstrap_servers", OptionType::kString, std::nullopt,
             "Comma-separated host:port list; by default the environment's bootstrap servers."),
      Enum("security_protocol", "plaintext", {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"},
           "security.protocol; sasl_ssl for Event Hubs, MSK SCRAM and Confluent Cloud."),
      Enum("sasl_mechanism", "PLAIN", {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"},
           "sasl.mechanisms for sasl_* protocols: PLAIN (Event Hubs, Confluent) or SCRAM (MSK)."),
      Option("sasl_username", OptionType::kString, std::nullopt,
             "SASL user name, e.g. $ConnectionString for Event Hubs; may be a ${env:NAME} reference."),
      password,
      Option("ssl_ca_location", OptionType::kString, std::nullopt,
             "CA bundle file for ssl/sasl_ssl; by default the system's trust store."),
      // Producer.
      Enum("acks", "all", {"0", "1", "all"}, "Replicas that must confirm a write before it counts as acked."),
      Int("linger_ms", 5, 0, 900'000, "How long the producer waits to fill a batch (linger.ms)."),
      Bytes("batch_size", 1'000'000, 1, 1'000'000'000,
            "Upper bound of one produce batch in bytes (batch.size)."),
      Int("batch_messages", 100'000, 1, 1'000'000,
          "Upper bound of one produce batch in messages (batch.num.messages)."),
      Int("queue_max_messages", 2'000'000, 1, 2'147'483'647,
          "Messages the client may hold unacknowledged before Send reports a full queue."),
      Enum("compression", "none", {"none", "gzip", "snappy", "lz4", "zstd"}, "Compression codec of batches."),
      Option("enable_idempotence", OptionType::kBool, true,
             "Idempotent producer: no duplicates or reordering on retries (requires acks: all)."),
      Int("max_in_flight", 5, 1, 1'000'000,
          "Produce requests in flight per broker; > 1 may reorder on retry without idempotence."),
      InRange(
          Option("delivery_timeout", OptionType::kDuration, int64_t{120'000'000'000},
                 "How long the client retries a message before reporting it failed (message.timeout.ms)."),
          0.001, 2'147'483),
      // Consumer.
      Bytes("fetch_min_bytes", 1, 1, 100'000'000, "Bytes the broker gathers before answering a fetch."),
      Int("fetch_max_wait_ms", 10, 0, 300'000,
          "Longest time the broker may hold a fetch to reach fetch_min_bytes (fetch.wait.max.ms); the "
          "embedded mock holds every empty fetch this long, so it bounds latency there."),
      Bytes("max_partition_fetch_bytes", 2 * kMiB, 1, 1'000'000'000,
            "Bytes per partition requested per fetch (fetch.message.max.bytes)."),
      Bytes("fetch_max_bytes", 50 * kMiB, 1'000'000, 2'147'483'135,
            "Bytes per fetch response across partitions (fetch.max.bytes)."),
      Int("queued_min_messages", 100'000, 1, 10'000'000,
          "Messages per partition the consumer prefetches (queued.min.messages)."),
      Enum("assignment_strategy", "roundrobin", {"range", "roundrobin", "cooperative-sticky"},
           "How the consumer group spreads partitions over consumers."),
      InRange(Option("session_timeout", OptionType::kDuration, int64_t{10'000'000'000},
                     "Consumer group session timeout (session.timeout.ms). It bounds how long a rebalance "
                     "waits for a member that went away without leaving, e.g. a join the client retried on "
                     "a busy machine; librdkafka's own default of 45 s stalled group joins that long."),
              1, 3600),
      // Topics.
      Int("replication_factor", 1, 1, 32, "Replication factor of the topics the run creates."),
      Option(
          "topic_config", OptionType::kStringMap, StringMap{},
          "Topic configs of the topics the run creates, e.g. {min.insync.replicas: \"2\"} (with acks: all, "
          "how many replicas must have a write before it is acked)."),
      // Pass-through.
      Option("producer_config", OptionType::kStringMap, StringMap{},
             "Raw librdkafka properties for producers and the admin client, applied last."),
      Option("consumer_config", OptionType::kStringMap, StringMap{},
             "Raw librdkafka properties for consumers, applied last."),
  };
  return s;
}

// Pass-through keys whose values must never be rendered unless they are references.
bool LooksSecret(std::string_view key) {
  for (std::string_view word : {"password", "secret", "jaas", "key.pem", "token"}) {
    if (key.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

const OptionSchema& KafkaOptionSchema() {
  static const OptionSchema* schema = new OptionSchema(MakeSchema());
  return *schema;
}

Result<KafkaProperties> BuildKafkaProperties(const OptionValues& options, const Endpoints& endpoints,
                                             KafkaClientRole role, const std::string& group_id) {
  KafkaProperties props;
  auto add = [&props](std::string key, std::string value, bool secret = false) {
    props.push_back({std::move(key), std::move(value), secret});
  };

  std::string bootstrap = options.GetString("bootstrap_servers");
  if (bootstrap.empty()) {
    auto it = endpoints.find("bootstrap_servers");
    if (it != endpoints.end()) bootstrap = it->second;
  }
  if (bootstrap.empty()) {
    return InvalidArgument("kafka: no bootstrap_servers option and the environment gave none");
  }
  add("bootstrap.servers", bootstrap);
  add("client.id", "bakeoff");
  const std::string protocol = options.GetString("security_protocol", "plaintext");
  add("security.protocol", protocol);
  if (protocol.rfind("sasl_", 0) == 0) {
    add("sasl.mechanisms", options.GetString("sasl_mechanism", "PLAIN"));
    if (options.Has("sasl_username")) add("sasl.username", options.GetString("sasl_username"));
    if (options.Has("sasl_password")) add("sasl.password", options.GetString("sasl_password"), true);
  }
  if (options.Has("ssl_ca_location")) add("ssl.ca.location", options.GetString("ssl_ca_location"));

  std::map<std::string, std::string> pass_through;
  if (role == KafkaClientRole::kConsumer) {
    add("group.id", group_id);
    add("auto.offset.reset", "earliest");
    add("enable.auto.commit", "true");
    add("enable.partition.eof", "false");
    add("fetch.min.bytes", std::to_string(options.GetInt("fetch_min_bytes", 1)));
    add("fetch.wait.max.ms", std::to_string(options.GetInt("fetch_max_wait_ms", 10)));
    add("fetch.message.max.bytes", std::to_string(options.GetInt("max_partition_fetch_bytes", 2 * kMiB)));
    add("fetch.max.bytes", std::to_string(options.GetInt("fetch_max_bytes", 50 * kMiB)));
    add("queued.min.messages", std::to_string(options.GetInt("queued_min_messages", 100'000)));
    add("partition.assignment.strategy", options.GetString("assignment_strategy", "roundrobin"));
    const auto session = std::chrono::duration_cast<std::chrono::milliseconds>(
        options.GetDuration("session_timeout", std::chrono::seconds(10)));
    add("session.timeout.ms", std::to_string(session.count()));
    pass_through = options.GetStringMap("consumer_config");
  } else {
    // The admin client is a producer handle; it must never create topics by looking them up.
    if (role == KafkaClientRole::kAdmin) add("allow.auto.create.topics", "false");
    const std::string acks = options.GetString("acks", "all");
    const bool idempotent = options.GetBool("enable_idempotence", true);
    if (idempotent && acks != "all") {
      return InvalidArgument("kafka: acks: " + acks + " requires enable_idempotence: false");
    }
    add("acks", acks);
    add("linger.ms", std::to_string(options.GetInt("linger_ms", 5)));
    add("batch.size", std::to_string(options.GetInt("batch_size", 1'000'000)));
    add("batch.num.messages", std::to_string(options.GetInt("batch_messages", 100'000)));
    add("queue.buffering.max.messages", std::to_string(options.GetInt("queue_max_messages", 2'000'000)));
    add("compression.codec", options.GetString("compression", "none"));
    add("enable.idempotence", idempotent ? "true" : "false");
    add("max.in.flight.requests.per.connection", std::to_string(options.GetInt("max_in_flight", 5)));
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        options.GetDuration("delivery_timeout", std::chrono::seconds(120)));
    add("message.timeout.ms", std::to_string(std::max<int64_t>(1, timeout.count())));
    pass_through = options.GetStringMap("producer_config");
  }
  for (auto& [key, value] : pass_through) add(key, value, LooksSecret(key));
  return props;
}

Result<KafkaConfPtr> NewKafkaConf(const KafkaProperties& properties) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const KafkaProperty& p : properties) {
    const bool reference = HasSecretReference(p.value);
    std::string value = p.value;
    if (reference) {
      Result<std::string> resolved = ResolveSecretReferences(p.value);
      if (!resolved.ok()) {
        return Status(resolved.status().code(), "kafka: " + p.key + ": " + resolved.status().message());
      }
      value = std::move(resolved).value();
    }
    if (rd_kafka_conf_set(conf.get(), p.key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      // librdkafka may quote the value in errstr; keep it out when the value is or came from a secret.
      if (p.secret || reference) return InvalidArgument("kafka: invalid value for property " + p.key);
      return InvalidArgument("kafka: property " + p.key + ": " + errstr);
    }
  }
  return conf;
}

std::map<std::string, std::string> KafkaPropertiesForFacts(const KafkaProperties& properties) {
  std::map<std::string, std::string> facts;
  for (const KafkaProperty& p : properties) {
    if (p.secret && !HasSecretReference(p.value)) continue;
    facts[p.key] = p.value;
  }
  return facts;
}

Status KafkaErrorStatus(rd_kafka_resp_err_t err, const std::string& what) {
  std::string message = what + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::Ok();
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return QueueFull(std::move(message));
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return Timeout(std::move(message));
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return Unauthenticated(std::move(message));
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return NotFound(std::move(message));
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
      return InvalidArgument(std::move(message));
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
      return Unavailable(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

int KafkaTimeoutMs(std::chrono::nanoseconds wait) {
  if (wait.count() <= 0) return 0;
  const int64_t ms = (wait.count() + 999'999) / 1'000'000;
  return static_cast<int>(std::min<int64_t>(ms, 24 * 3600 * 1000));
}

}  // namespace bakeoff
