// JetStream producer and consumer of the "nats-jetstream" driver; the session (nats_jetstream.cc)
// creates them. Internal to src/drivers/nats/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "drivers/driver.h"
#include "drivers/nats/nats_common.h"

namespace bakeoff::nats_internal {

// Where each harness stream lives: subjects[s] in JetStream stream stream_names[s].
struct JetStreamLayout {
  std::vector<std::string> subjects;
  std::vector<std::string> stream_names;
};

// Subject -> harness stream, looked up by string_view: the ack handler and the consumer do it once per
// message and must not allocate.
struct SubjectHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StreamOfSubject = std::unordered_map<std::string, uint32_t, SubjectHash, std::equal_to<>>;

// A JetStream context on `nc` with the API timeout of `options` and, if given, the async publish
// settings already filled into `base`.
Result<JetStreamPtr> NewJetStreamContext(natsConnection* nc, const NatsJetStreamSettings& settings,
                                         jsOptions* base = nullptr);

// A Status for a failed JetStream call, with the JetStream error code when the server gave one.
Status JetStreamError(natsStatus s, jsErrCode code, const std::string& what);

// Whether a stream creation failed only because a fresh cluster's JetStream meta group does not see
// enough peers yet: "no suitable peers for placement" [10005], "JetStream system temporarily
// unavailable" [10008]. Retrying after a short wait succeeds once the peers have reported in.
bool IsPlacementPending(jsErrCode code);

// Calls `attempt` (one js_AddStream) until it succeeds, fails with another error, or `limit` has passed
// while IsPlacementPending, waiting `interval` between attempts. Returns the last outcome; the message of
// a timed-out wait says how long placement was waited for.
Status RetryWhilePlacementPending(const std::function<Status(jsErrCode* code)>& attempt,
                                  std::chrono::milliseconds limit,
                                  std::chrono::milliseconds interval = std::chrono::milliseconds(250));

Result<std::unique_ptr<Producer>> NewJetStreamProducer(const SessionContext& ctx,
                                                       const NatsJetStreamSettings& settings,
                                                       const JetStreamLayout& layout, int index,
                                                       CompletionSink& sink);

// Consumer `spec.index` of `spec.count` of its subscription: a durable pull consumer (filtered to one
// subject, or to all of a topic's) per owned stream; every subscription has durables of its own.
Result<std::unique_ptr<Consumer>> NewJetStreamConsumer(const SessionContext& ctx,
                                                       const NatsJetStreamSettings& settings,
                                                       const JetStreamLayout& layout,
                                                       const ConsumerSpec& spec);

}  // namespace bakeoff::nats_internal
