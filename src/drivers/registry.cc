#include "drivers/registry.h"

#include "drivers/kafka/kafka_driver.h"
#include "drivers/memory/memory_driver.h"

namespace bakeoff {

std::vector<Driver*> AllDrivers() {
  // One line per driver.
  return {
      GetKafkaDriver(),
      GetMemoryDriver(),
  };
}

Driver* FindDriver(const std::string& name) {
  for (Driver* d : AllDrivers()) {
    if (d->name() == name) return d;
  }
  return nullptr;
}

}  // namespace bakeoff
