// The NATS drivers (cnats): "nats" for core subjects (fire-and-forget, no persistence) and
// "nats-jetstream" for JetStream streams with acknowledged publishes and durable pull consumers.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetNatsDriver();
Driver* GetNatsJetStreamDriver();

// The guarantee of an acked JetStream publish on a stream with this storage ("file", "memory") and
// replica count, as the server's stream info reports them.
std::string JetStreamGuarantee(const std::string& storage, int64_t replicas);

}  // namespace bakeoff
