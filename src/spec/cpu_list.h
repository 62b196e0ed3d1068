// CPU lists as experiments write them (`cpus: "0-1"`, `generator_cpus: "0,2-3"`).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff {

// Parses a CPU list such as "1", "0-1" or "0,2-3"; CPUs must exist on this machine.
Result<std::vector<int>> ParseCpuList(const std::string& text);

}  // namespace bakeoff
