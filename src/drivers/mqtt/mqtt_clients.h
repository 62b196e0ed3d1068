// The mqtt producer (mosquitto_publish with message-id tracking) and consumer (subscriptions to its share
// of the topics). Both drive libmosquitto's network loop on their own thread, inside Send/Poll/Flush.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "drivers/mqtt/mqtt_client.h"

namespace bakeoff::mqtt {

struct ProducerSettings {
  std::vector<std::string> topics;  // MQTT topic per stream index
  std::string client_id;
  size_t max_queued_messages = 1000;  // handed to the client and not yet complete; more = kQueueFull
};

struct ConsumerSettings {
  std::vector<std::string> topics;  // MQTT topic per stream index (all of them)
  std::vector<uint32_t> streams;    // the streams this consumer subscribes to
  std::string client_id;
};

Result<std::unique_ptr<Producer>> NewProducer(const ClientConfig& config, ProducerSettings settings,
                                              CompletionSink& sink);
Result<std::unique_ptr<Consumer>> NewConsumer(const ClientConfig& config, ConsumerSettings settings);

}  // namespace bakeoff::mqtt
