// Shared by the drivers: the host[:port] part of a server address, parsed one way everywhere (redis://,
// mqtt://, ... each driver strips its own scheme and user info first). Errors name the driver and quote
// the bad text, so that a typo in an experiment file reads as what it is.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace bakeoff::drivers_kit {

struct HostPort {
  std::string host;
  int port = 0;
};

// Parses "host", "host:port" or ":port" (an IPv6 literal in brackets, "[::1]:port", keeps its brackets).
// A missing host or port takes `defaults`; a port must be 1..65535. `what` prefixes errors ("redis").
Result<HostPort> ParseHostPort(std::string_view text, const HostPort& defaults, std::string_view what);

}  // namespace bakeoff::drivers_kit
