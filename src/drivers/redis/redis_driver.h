// The redis-streams driver (hiredis): see redis_driver.cc.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetRedisStreamsDriver();

}  // namespace bakeoff
