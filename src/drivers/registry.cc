#include "drivers/registry.h"

#include "drivers/kafka/kafka_driver.h"
#include "drivers/kinesis/kinesis_driver.h"
#include "drivers/memory/memory_driver.h"
#include "drivers/mqtt/mqtt_driver.h"
#include "drivers/nats/nats_driver.h"
#include "drivers/rabbitmq/rabbitmq_driver.h"
#include "drivers/redis/redis_driver.h"

namespace bakeoff {

std::vector<Driver*> AllDrivers() {
  // One line per driver.
  return {
      GetKafkaDriver(),         GetMemoryDriver(),   GetRedisStreamsDriver(), GetNatsDriver(),
      GetNatsJetStreamDriver(), GetRabbitMqDriver(), GetMqttDriver(),         GetKinesisDriver(),
  };
}

Driver* FindDriver(const std::string& name) {
  for (Driver* d : AllDrivers()) {
    if (d->name() == name) return d;
  }
  return nullptr;
}

}  // namespace bakeoff
