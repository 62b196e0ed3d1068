// The kafka driver's producer and consumer (librdkafka). Both address streams as the runner does:
// stream s is partition (s % partitions) of topic (s / partitions) of the run's TopicLayout.
#pragma once

#include <memory>

#include "base/status.h"
#include "drivers/driver.h"
#include "drivers/kafka/kafka_config.h"
#include "drivers/kafka/kafka_log.h"

namespace bakeoff {

// A producer that sends asynchronously and reports completions to `sink` (which must outlive it) from
// inside Poll()/Flush(). Acks are rebuilt from the MessageHeader at the start of each payload.
// librdkafka's errors go to `events` (when not null; it must outlive the producer).
Result<std::unique_ptr<Producer>> NewKafkaProducer(const KafkaProperties& properties,
                                                   const TopicLayout& layout, CompletionSink& sink,
                                                   ClientEventSink* events = nullptr);

// Member `index` of `count` of the run's consumer group, subscribed to every topic of `layout`.
// Rebalances and librdkafka's errors go to `events` (when not null; it must outlive the consumer).
Result<std::unique_ptr<Consumer>> NewKafkaConsumer(const KafkaProperties& properties,
                                                   const TopicLayout& layout, int index, int count,
                                                   ClientEventSink* events = nullptr);

// Creates a librdkafka handle from `properties`, its log routed to bakeoff's (RouteKafkaLog), letting
// `configure` add callbacks first. The error names the client role, never a secret.
template <typename Configure>
Result<rd_kafka_t*> NewKafkaHandle(const KafkaProperties& properties, rd_kafka_type_t type,
                                   Configure&& configure) {
  Result<KafkaConfPtr> conf = NewKafkaConf(properties);
  if (!conf.ok()) return conf.status();
  RouteKafkaLog(conf->get());
  configure(conf->get());
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf->get(), errstr, sizeof(errstr));
  if (rk == nullptr) {
    return InvalidArgument(std::string("kafka: cannot create ") +
                           (type == RD_KAFKA_PRODUCER ? "producer" : "consumer") + ": " + errstr);
  }
  static_cast<void>(conf->release());  // rd_kafka_new took ownership
  return rk;
}

}  // namespace bakeoff
