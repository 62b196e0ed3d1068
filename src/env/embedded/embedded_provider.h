// The `embedded` provider: systems that run inside the bakeoff process (librdkafka's mock cluster).
#pragma once

#include <string>

#include "env/provider.h"

namespace bakeoff {

Provider* GetEmbeddedProvider();

// Whether the embedded environment can host a system of `driver` (only "kafka": the mock cluster speaks
// the Kafka protocol). The run layer checks this before Create().
bool EmbeddedProviderSupports(const std::string& driver);

}  // namespace bakeoff
