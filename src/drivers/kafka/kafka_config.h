// librdkafka configuration for the kafka driver: the option schema, the mapping from validated options
// to librdkafka properties per client role, and the conversion of librdkafka errors to Status.
//
// Secrets ("${env:NAME}" references in sasl_username, sasl_password or pass-through values) stay as the
// reference text in KafkaProperties; they are resolved only inside NewKafkaConf() and never appear in
// facts or error messages.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "drivers/driver.h"
#include "spec/option_binding.h"
#include "spec/option_schema.h"

namespace bakeoff {

// The kafka driver's options as bound once (spec/option_binding.h; the help texts say what each does).
// The pass-through maps stay maps of librdkafka properties.
struct KafkaSettings {
  using StringMap = std::map<std::string, std::string>;
  std::optional<std::string> bootstrap_servers;  // else the environment's
  std::string security_protocol;
  std::string sasl_mechanism;
  std::optional<std::string> sasl_username;
  std::optional<std::string> sasl_password;  // a secret reference
  std::optional<std::string> ssl_ca_location;
  std::string acks;  // 0 | 1 | all
  int64_t linger_ms = 0;
  int64_t batch_size = 0;  // bytes
  int64_t batch_messages = 0;
  int64_t queue_max_messages = 0;
  std::string compression;
  bool enable_idempotence = false;
  int64_t max_in_flight = 0;
  std::chrono::milliseconds delivery_timeout{};
  int64_t fetch_min_bytes = 0;
  int64_t fetch_max_wait_ms = 0;
  int64_t max_partition_fetch_bytes = 0;
  int64_t fetch_max_bytes = 0;
  int64_t queued_min_messages = 0;
  std::string assignment_strategy;
  std::chrono::milliseconds session_timeout{};
  int replication_factor = 0;
  StringMap topic_config;
  StringMap producer_config;
  StringMap consumer_config;
};

const OptionBinder<KafkaSettings>& KafkaOptions();
inline const OptionSchema& KafkaOptionSchema() {
  return KafkaOptions().schema();
}

enum class KafkaClientRole { kProducer, kConsumer, kAdmin };

struct KafkaProperty {
  std::string key;
  std::string value;    // as written by the user; may hold a secret reference
  bool secret = false;  // never rendered, even when it holds no reference
};
using KafkaProperties = std::vector<KafkaProperty>;

// The librdkafka properties of one client, in the order they are applied (pass-through maps last).
// `group_id` is used for kConsumer only. Fails when no bootstrap servers are known or options conflict.
Result<KafkaProperties> BuildKafkaProperties(const OptionValues& options, const Endpoints& endpoints,
                                             KafkaClientRole role, const std::string& group_id);

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

// Resolves secret references and builds the librdkafka configuration. Errors name the property, never
// the value of a secret.
Result<KafkaConfPtr> NewKafkaConf(const KafkaProperties& properties);

// The properties for result files: secrets are left out, references stay as written.
std::map<std::string, std::string> KafkaPropertiesForFacts(const KafkaProperties& properties);

// Maps a librdkafka error to a Status whose message starts with `what`.
Status KafkaErrorStatus(rd_kafka_resp_err_t err, const std::string& what);

// librdkafka takes whole milliseconds; rounds up so that a short positive wait does not become a spin.
int KafkaTimeoutMs(std::chrono::nanoseconds wait);

}  // namespace bakeoff
