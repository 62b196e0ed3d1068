// librdkafka configuration for the kafka driver: the option schema, the mapping from validated options
// to librdkafka properties per client role, and the conversion of librdkafka errors to Status.
//
// Secrets ("${env:NAME}" references in sasl_username, sasl_password or pass-through values) stay as the
// reference text in KafkaProperties; they are resolved only inside NewKafkaConf() and never appear in
// facts or error messages.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "drivers/driver.h"
#include "spec/option_schema.h"

namespace bakeoff {

// The kafka driver's options (see the help texts for what each does).
const OptionSchema& KafkaOptionSchema();

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
