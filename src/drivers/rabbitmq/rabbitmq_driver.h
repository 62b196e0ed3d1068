// The rabbitmq driver (rabbitmq-c, AMQP 0-9-1): see rabbitmq_driver.cc.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetRabbitMqDriver();

}  // namespace bakeoff
