// The kafka driver (librdkafka): see kafka_driver.cc.
#pragma once

#include <map>
#include <string>

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetKafkaDriver();

// The delivery guarantee a session's facts describe ("at-least-once, acked by all in-sync replicas
// (replication factor 3, min.insync.replicas 2)"), from `producer.acks` and the read-back topic facts.
std::string KafkaGuarantee(const std::map<std::string, std::string>& facts);

}  // namespace bakeoff
