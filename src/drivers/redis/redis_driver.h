// The redis-streams driver (hiredis): see redis_driver.cc.
#pragma once

#include <string>

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetRedisStreamsDriver();

// The delivery guarantee of an XADD reply given the server's `appendonly` and `appendfsync` as
// CONFIG GET read them (empty: the server did not say).
std::string RedisGuarantee(const std::string& appendonly, const std::string& appendfsync);

}  // namespace bakeoff
