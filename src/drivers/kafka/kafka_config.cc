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

using namespace std::chrono_literals;

void Declare(OptionBinder<KafkaSettings>& b) {
  using S = KafkaSettings;
  // Connection and security.
  b.String("bootstrap_servers", &S::bootstrap_servers)
      .Help("Comma-separated host:port list; by default the environment's bootstrap servers.");
  b.Enum("security_protocol", &S::security_protocol)
      .Choices({"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"})
      .Default("plaintext")
      .Help("security.protocol; sasl_ssl for Event Hubs, MSK SCRAM and Confluent Cloud.");
  b.Enum("sasl_mechanism", &S::sasl_mechanism)
      .Choices({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
      .Default("PLAIN")
      .Help("sasl.mechanisms for sasl_* protocols: PLAIN (Event Hubs, Confluent) or SCRAM (MSK).");
  b.String("sasl_username", &S::sasl_username)
      .Help("SASL user name, e.g. $ConnectionString for Event Hubs; may be a ${env:NAME} reference.");
  b.String("sasl_password", &S::sasl_password)
      .Secret()
      .Help(
          "SASL password as a reference, e.g. ${env:EVENTHUBS_CONNECTION_STRING}; resolved at connect "
          "time, never stored.");
  b.String("ssl_ca_location", &S::ssl_ca_location)
      .Help("CA bundle file for ssl/sasl_ssl; by default the system's trust store.");
  // Producer.
  b.Enum("acks", &S::acks)
      .Choices({"0", "1", "all"})
      .Default("all")
      .Help("Replicas that must confirm a write before it counts as acked.");
  b.Int("linger_ms", &S::linger_ms)
      .Default(5)
      .Range(0, 900'000)
      .Help("How long the producer waits to fill a batch (linger.ms).");
  b.Bytes("batch_size", &S::batch_size)
      .Default(1'000'000)
      .Range(1, 1'000'000'000)
      .Help("Upper bound of one produce batch in bytes (batch.size).");
  b.Int("batch_messages", &S::batch_messages)
      .Default(100'000)
      .Range(1, 1'000'000)
      .Help("Upper bound of one produce batch in messages (batch.num.messages).");
  b.Int("queue_max_messages", &S::queue_max_messages)
      .Default(2'000'000)
      .Range(1, 2'147'483'647)
      .Help("Messages the client may hold unacknowledged before Send reports a full queue.");
  b.Enum("compression", &S::compression)
      .Choices({"none", "gzip", "snappy", "lz4", "zstd"})
      .Default("none")
      .Help("Compression codec of batches.");
  b.Bool("enable_idempotence", &S::enable_idempotence)
      .Default(true)
      .Help("Idempotent producer: no duplicates or reordering on retries (requires acks: all).");
  b.Int("max_in_flight", &S::max_in_flight)
      .Default(5)
      .Range(1, 1'000'000)
      .Help("Produce requests in flight per broker; > 1 may reorder on retry without idempotence.");
  b.Duration("delivery_timeout", &S::delivery_timeout)
      .Default(120s)
      .Range(1ms, 2'147'483s)
      .Help("How long the client retries a message before reporting it failed (message.timeout.ms).");
  // Consumer.
  b.Bytes("fetch_min_bytes", &S::fetch_min_bytes)
      .Default(1)
      .Range(1, 100'000'000)
      .Help("Bytes the broker gathers before answering a fetch.");
  b.Int("fetch_max_wait_ms", &S::fetch_max_wait_ms)
      .Default(10)
      .Range(0, 300'000)
      .Help(
          "Longest time the broker may hold a fetch to reach fetch_min_bytes (fetch.wait.max.ms); the "
          "embedded mock holds every empty fetch this long, so it bounds latency there.");
  b.Bytes("max_partition_fetch_bytes", &S::max_partition_fetch_bytes)
      .Default(2 * kMiB)
      .Range(1, 1'000'000'000)
      .Help("Bytes per partition requested per fetch (fetch.message.max.bytes).");
  b.Bytes("fetch_max_bytes", &S::fetch_max_bytes)
      .Default(50 * kMiB)
      .Range(1'000'000, 2'147'483'135)
      .Help("Bytes per fetch response across partitions (fetch.max.bytes).");
  b.Int("queued_min_messages", &S::queued_min_messages)
      .Default(100'000)
      .Range(1, 10'000'000)
      .Help("Messages per partition the consumer prefetches (queued.min.messages).");
  b.Enum("assignment_strategy", &S::assignment_strategy)
      .Choices({"range", "roundrobin", "cooperative-sticky"})
      .Default("roundrobin")
      .Help("How the consumer group spreads partitions over consumers.");
  b.Duration("session_timeout", &S::session_timeout)
      .Default(10s)
      .Range(1s, 3600s)
      .Help(
          "Consumer group session timeout (session.timeout.ms). It bounds how long a rebalance waits for a "
          "member that went away without leaving, e.g. a join the client retried on a busy machine; "
          "librdkafka's own default of 45 s stalled group joins that long.");
  // Topics.
  b.Int("replication_factor", &S::replication_factor)
      .Default(1)
      .Range(1, 32)
      .Help("Replication factor of the topics the run creates.");
  b.StringMapOption("topic_config", &S::topic_config)
      .Default({})
      .Help(
          "Topic configs of the topics the run creates, e.g. {min.insync.replicas: \"2\"} (with acks: all, "
          "how many replicas must have a write before it is acked).");
  // Pass-through.
  b.StringMapOption("producer_config", &S::producer_config)
      .Default({})
      .Help("Raw librdkafka properties for producers and the admin client, applied last.");
  b.StringMapOption("consumer_config", &S::consumer_config)
      .Default({})
      .Help("Raw librdkafka properties for consumers, applied last.");
}

// Pass-through keys whose values must never be rendered unless they are references.
bool LooksSecret(std::string_view key) {
  for (std::string_view word : {"password", "secret", "jaas", "key.pem", "token"}) {
    if (key.find(word) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

const OptionBinder<KafkaSettings>& KafkaOptions() {
  static const OptionBinder<KafkaSettings>* binder = [] {
    auto* b = new OptionBinder<KafkaSettings>();
    Declare(*b);
    return b;
  }();
  return *binder;
}

Result<KafkaProperties> BuildKafkaProperties(const OptionValues& options, const Endpoints& endpoints,
                                             KafkaClientRole role, const std::string& group_id) {
  Result<KafkaSettings> bound = KafkaOptions().Bind(options);
  if (!bound.ok()) return bound.status();
  const KafkaSettings& o = *bound;
  KafkaProperties props;
  auto add = [&props](std::string key, std::string value, bool secret = false) {
    props.push_back({std::move(key), std::move(value), secret});
  };

  std::string bootstrap = o.bootstrap_servers.value_or("");
  if (bootstrap.empty()) {
    auto it = endpoints.find("bootstrap_servers");
    if (it != endpoints.end()) bootstrap = it->second;
  }
  if (bootstrap.empty()) {
    return InvalidArgument("kafka: no bootstrap_servers option and the environment gave none");
  }
  add("bootstrap.servers", bootstrap);
  add("client.id", "bakeoff");
  const std::string& protocol = o.security_protocol;
  add("security.protocol", protocol);
  if (protocol.rfind("sasl_", 0) == 0) {
    add("sasl.mechanisms", o.sasl_mechanism);
    if (o.sasl_username) add("sasl.username", *o.sasl_username);
    if (o.sasl_password) add("sasl.password", *o.sasl_password, true);
  }
  if (o.ssl_ca_location) add("ssl.ca.location", *o.ssl_ca_location);

  std::map<std::string, std::string> pass_through;
  if (role == KafkaClientRole::kConsumer) {
    add("group.id", group_id);
    add("auto.offset.reset", "earliest");
    add("enable.auto.commit", "true");
    add("enable.partition.eof", "false");
    add("fetch.min.bytes", std::to_string(o.fetch_min_bytes));
    add("fetch.wait.max.ms", std::to_string(o.fetch_max_wait_ms));
    add("fetch.message.max.bytes", std::to_string(o.max_partition_fetch_bytes));
    add("fetch.max.bytes", std::to_string(o.fetch_max_bytes));
    add("queued.min.messages", std::to_string(o.queued_min_messages));
    add("partition.assignment.strategy", o.assignment_strategy);
    add("session.timeout.ms", std::to_string(o.session_timeout.count()));
    pass_through = o.consumer_config;
  } else {
    // The admin client is a producer handle; it must never create topics by looking them up.
    if (role == KafkaClientRole::kAdmin) add("allow.auto.create.topics", "false");
    const std::string& acks = o.acks;
    const bool idempotent = o.enable_idempotence;
    if (idempotent && acks != "all") {
      return InvalidArgument("kafka: acks: " + acks + " requires enable_idempotence: false");
    }
    add("acks", acks);
    add("linger.ms", std::to_string(o.linger_ms));
    add("batch.size", std::to_string(o.batch_size));
    add("batch.num.messages", std::to_string(o.batch_messages));
    add("queue.buffering.max.messages", std::to_string(o.queue_max_messages));
    add("compression.codec", o.compression);
    add("enable.idempotence", idempotent ? "true" : "false");
    add("max.in.flight.requests.per.connection", std::to_string(o.max_in_flight));
    add("message.timeout.ms", std::to_string(std::max<int64_t>(1, o.delivery_timeout.count())));
    pass_through = o.producer_config;
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
