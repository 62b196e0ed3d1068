// What both NATS drivers share: connection options (schema and natsOptions), status mapping, subject
// and stream naming, and server facts. Internal to src/drivers/nats/.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "drivers/nats/nats_options.h"

namespace bakeoff::nats_internal {

// Counters a connection's asynchronous callbacks update (they run on cnats threads).
struct ConnectionEvents {
  std::atomic<uint64_t> slow_consumer{0};  // async error NATS_SLOW_CONSUMER (client dropped messages)
  std::atomic<uint64_t> async_errors{0};   // any other async error
  std::atomic<uint64_t> disconnects{0};
  std::atomic<bool> closed{false};  // no more reconnect attempts
};

struct ConnectionDeleter {
  void operator()(natsConnection* nc) const;
};
using ConnectionPtr = std::unique_ptr<natsConnection, ConnectionDeleter>;

struct SubscriptionDeleter {
  void operator()(natsSubscription* sub) const { natsSubscription_Destroy(sub); }
};
using SubscriptionPtr = std::unique_ptr<natsSubscription, SubscriptionDeleter>;

struct JetStreamDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
using JetStreamPtr = std::unique_ptr<jsCtx, JetStreamDeleter>;

// A connection with the counters its callbacks write. The counters outlive the connection.
struct Connection {
  std::shared_ptr<ConnectionEvents> events = std::make_shared<ConnectionEvents>();
  ConnectionPtr nc;
};

// The server URLs to use: option `url` if set, else the environment's "url" endpoint.
Result<std::vector<std::string>> ServerUrls(const NatsConnectionSettings& settings,
                                            const Endpoints& endpoints);

// Connects with the configured options; `role` names the connection (visible in server monitoring).
// Secret references in credentials are resolved here and never kept.
Result<Connection> Connect(const NatsConnectionSettings& settings, const Endpoints& endpoints,
                           const std::string& role);

// A Status for a failed cnats call, with the library's last error text.
Status NatsError(natsStatus s, const std::string& what);

// Millisecond timeouts for cnats calls: at least `min_ms`.
int64_t ToMillis(std::chrono::nanoseconds d, int64_t min_ms = 1);

// Subject of partition `partition` of `topic`: "<topic>.<partition>" with the topic's characters that
// NATS treats specially ('.', '*', '>', whitespace) replaced by '_'.
std::string SubjectFor(const std::string& topic, int partition);
// A stream/consumer name made of [A-Za-z0-9_-] only.
std::string SafeName(const std::string& text);

// Facts of a connected client: client version, connected URL, server id and version (read from the
// server's INFO line, which cnats 3.4 does not expose), and the options in effect (secrets omitted).
std::map<std::string, std::string> ConnectionFacts(natsConnection* nc, const OptionValues& options);

// Streams consumer `index` of `count` owns: index, index + count, ...
std::vector<uint32_t> OwnedStreams(int index, int count, int streams);

}  // namespace bakeoff::nats_internal
