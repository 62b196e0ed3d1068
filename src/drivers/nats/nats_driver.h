// The NATS drivers (cnats): "nats" for core subjects (fire-and-forget, no persistence) and
// "nats-jetstream" for JetStream streams with acknowledged publishes and durable pull consumers.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetNatsDriver();
Driver* GetNatsJetStreamDriver();

}  // namespace bakeoff
