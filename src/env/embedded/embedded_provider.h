// The `embedded` provider: systems that run inside the bakeoff process (librdkafka's mock cluster).
#pragma once

#include "env/provider.h"

namespace bakeoff {

Provider* GetEmbeddedProvider();

}  // namespace bakeoff
