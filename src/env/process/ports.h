// TCP ports for servers on 127.0.0.1. Ports are never fixed: the kernel picks a free one (bind to port 0)
// and this process never hands out the same port twice, so environments started side by side never
// clash. Thread-safe.
#pragma once

#include <chrono>

#include "base/status.h"

namespace bakeoff {

// A port that was free on 127.0.0.1 a moment ago and that this process has not handed out before.
Result<int> AllocateLoopbackPort();

// Whether something accepts TCP connections on 127.0.0.1:`port` (connect attempt bounded by `timeout`).
bool LoopbackPortAccepts(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(200));

}  // namespace bakeoff
