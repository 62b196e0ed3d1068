// The kafka driver (librdkafka): see kafka_driver.cc.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetKafkaDriver();

}  // namespace bakeoff
