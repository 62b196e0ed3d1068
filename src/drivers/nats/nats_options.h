// Option schemas of the two NATS drivers (typed, defaulted, documented; printed by `bakeoff drivers`).
#pragma once

#include "spec/option_schema.h"

namespace bakeoff {

const OptionSchema& NatsCoreSchema();
const OptionSchema& NatsJetStreamSchema();

}  // namespace bakeoff
