// Health of a local Apache Kafka cluster at the Kafka protocol level, through librdkafka's admin API:
// metadata lists every broker, there is an active controller, and a topic with the experiment's
// replication factor can be created and has its full ISR (it is deleted again once it has). Not
// thread-safe: the local environment probes from one thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff {

struct KafkaHealthOptions {
  std::string bootstrap_servers;
  std::vector<int> broker_ports;  // every broker; metadata must list this many
  int replication_factor = 1;
};

class KafkaHealth {
 public:
  explicit KafkaHealth(KafkaHealthOptions options) : options_(std::move(options)) {}
  ~KafkaHealth();
  KafkaHealth(const KafkaHealth&) = delete;
  KafkaHealth& operator=(const KafkaHealth&) = delete;

  // Ok once healthy; any error means "not yet" (the caller retries until its deadline).
  Status Probe(std::chrono::milliseconds budget);

 private:
  Status EnsureHandle();
  Status CreateHealthTopic(std::chrono::milliseconds budget);
  void DeleteHealthTopic(std::chrono::milliseconds budget);

  KafkaHealthOptions options_;
  rd_kafka_t* rk_ = nullptr;
  bool topic_requested_ = false;
};

// The topic the health check creates and deletes.
inline constexpr const char* kKafkaHealthTopic = "bakeoff-health";

}  // namespace bakeoff
