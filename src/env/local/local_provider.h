// The `local` provider: real servers (redis, nats, rabbitmq, mosquitto, kinesalite) as processes on this
// machine, bound to 127.0.0.1 on allocated ports, one work directory and one state file per environment.
#pragma once

#include "env/local/server_layout.h"
#include "env/provider.h"

namespace bakeoff {

Provider* GetLocalProvider();

// The server a driver needs when the user does not say (`server` option): redis-streams -> redis,
// nats/nats-jetstream -> nats, rabbitmq -> rabbitmq, mqtt -> mosquitto, kinesis -> kinesalite.
// kafka is refused with a pointer to `environment: embedded`.
Result<std::string> ServerForDriver(const std::string& driver);

// Typed settings from validated options; `driver` fills in `server` when it is not given.
Result<LocalSettings> LocalSettingsFromOptions(const OptionValues& options, const std::string& driver);

}  // namespace bakeoff
