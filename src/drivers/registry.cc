#include "drivers/registry.h"

#include "drivers/kafka/kafka_driver.h"
#include "drivers/memory/memory_driver.h"
#ifdef BAKEOFF_HAS_DRIVER_redis
#include "drivers/redis/redis_driver.h"
#endif
#ifdef BAKEOFF_HAS_DRIVER_nats
#include "drivers/nats/nats_driver.h"
#endif
#ifdef BAKEOFF_HAS_DRIVER_rabbitmq
#include "drivers/rabbitmq/rabbitmq_driver.h"
#endif
#ifdef BAKEOFF_HAS_DRIVER_mqtt
#include "drivers/mqtt/mqtt_driver.h"
#endif
#ifdef BAKEOFF_HAS_DRIVER_kinesis
#include "drivers/kinesis/kinesis_driver.h"
#endif

namespace bakeoff {

std::vector<Driver*> AllDrivers() {
  // One line per driver.
  return {
      GetKafkaDriver(),
      GetMemoryDriver(),
#ifdef BAKEOFF_HAS_DRIVER_redis
      GetRedisStreamsDriver(),
#endif
#ifdef BAKEOFF_HAS_DRIVER_nats
      GetNatsDriver(),
      GetNatsJetStreamDriver(),
#endif
#ifdef BAKEOFF_HAS_DRIVER_rabbitmq
      GetRabbitMqDriver(),
#endif
#ifdef BAKEOFF_HAS_DRIVER_mqtt
      GetMqttDriver(),
#endif
#ifdef BAKEOFF_HAS_DRIVER_kinesis
      GetKinesisDriver(),
#endif
  };
}

Driver* FindDriver(const std::string& name) {
  for (Driver* d : AllDrivers()) {
    if (d->name() == name) return d;
  }
  return nullptr;
}

}  // namespace bakeoff
