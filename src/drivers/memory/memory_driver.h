// The `memory` driver: an in-process "system" made of lock-free rings. It measures the harness itself
// (the baseline every other system is compared with) and, through its fault options, lets tests drive
// loss, duplication, stalls and throttling through the real runner path.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetMemoryDriver();

}  // namespace bakeoff
