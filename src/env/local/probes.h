// Protocol-level health probes against 127.0.0.1. Each returns Ok when the server answered correctly
// within `timeout`, else why not (the caller retries until its startup deadline).
#pragma once

#include <chrono>

#include "base/status.h"

namespace bakeoff {

// RESP `PING` answered with `+PONG`.
Status ProbeRedis(int port, std::chrono::milliseconds timeout);
// NATS INFO/CONNECT/PING -> PONG; with `jetstream`, a `$JS.API.INFO` request answered without an error
// (the JetStream meta leader is elected).
Status ProbeNats(int port, bool jetstream, std::chrono::milliseconds timeout);
// MQTT 3.1.1 CONNECT answered with CONNACK return code 0.
Status ProbeMqtt(int port, std::chrono::milliseconds timeout);
// Kinesis `ListStreams` (HTTP POST with X-Amz-Target) answered with 200.
Status ProbeKinesis(int port, std::chrono::milliseconds timeout);

}  // namespace bakeoff
