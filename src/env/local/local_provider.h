// The `local` provider: real servers (the kinds of server_kinds.h) as processes on this machine, bound to
// 127.0.0.1 on allocated ports, one work directory and one state file per environment. Its option schema,
// help texts and per-kind checks are derived from the server kind registry.
#pragma once

#include "env/local/server_layout.h"
#include "env/provider.h"

namespace bakeoff {

Provider* GetLocalProvider();

// The server a driver needs when the user does not say (`server` option): the kind that lists the driver
// (ServerKindForDriver). A driver no kind serves (memory) is refused with the drivers that have one.
Result<std::string> ServerForDriver(const std::string& driver);

// Typed settings from validated options; `driver` fills in `server` when it is not given. Checks `nodes`
// against the kind's cluster size and refuses options of other kinds. The conflicts with the system's
// driver options (ServerKind::check_system) are the provider's Check().
Result<LocalSettings> LocalSettingsFromOptions(const OptionValues& options, const std::string& driver);

}  // namespace bakeoff
