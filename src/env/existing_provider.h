// The `existing` provider: connect only. Nothing is created or destroyed; the driver's own options
// (e.g. kafka `bootstrap_servers`) say where the system is. Also the default for in-process drivers.
#pragma once

#include "env/provider.h"

namespace bakeoff {

Provider* GetExistingProvider();

}  // namespace bakeoff
