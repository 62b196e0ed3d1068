// The list of compiled-in drivers. Adding a driver = one folder + one line in registry.cc.
#pragma once

#include <string>
#include <vector>

#include "drivers/driver.h"

namespace bakeoff {

// nullptr if unknown. Drivers are process-wide singletons.
Driver* FindDriver(const std::string& name);
std::vector<Driver*> AllDrivers();

}  // namespace bakeoff
