// The mqtt driver (libmosquitto): see mqtt_driver.cc.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetMqttDriver();

}  // namespace bakeoff
