// Upper bounds on what an experiment file may ask for, checked by `bakeoff validate` (and so before
// `run` provisions anything). Each bound keeps one run's memory and thread count within what one machine
// can give, and keeps time arithmetic (warm-up + duration + drain, in int64 nanoseconds) far from
// overflow. Documented in the README ("Limits"); raise one only with the allocation it guards.
#pragma once

#include <cstdint>

namespace bakeoff {

inline constexpr int64_t kMaxTopics = 1000;
inline constexpr int64_t kMaxPartitions = 10000;  // per topic
inline constexpr int64_t kMaxStreams = 100000;    // topics x partitions: per-stream accounting, queues
inline constexpr int64_t kMaxProducers = 1024;    // one thread each
inline constexpr int64_t kMaxConsumers = 1024;    // one thread each; subscriptions x consumers in all
inline constexpr int64_t kMaxSubscriptions = 64;  // per-subscription accounting and latency histograms
inline constexpr int64_t kMaxKeyCount = 1000000;  // every key is materialized (and a zipf table)
inline constexpr int64_t kMaxMessages = int64_t{1} << 40;
inline constexpr int64_t kMaxBacklog = 100000000;
inline constexpr double kMaxRateMsgsPerS = 1e9;
inline constexpr int64_t kMaxRateSteps = 64;  // rate steps and find_max steps: a histogram pair each
inline constexpr int64_t kMaxFindMaxStepNs = int64_t{3600} * 1000000000;
inline constexpr int64_t kMaxBacklogMessages = int64_t{1} << 34;  // backlog: {messages}; held by the system
inline constexpr int64_t kMaxBacklogBytes = int64_t{1} << 40;     // backlog: {size}: 1 TiB
inline constexpr int64_t kMaxPayloadPool = 100000;                // payload: {pool}; bytes bounded separately
inline constexpr int64_t kDay = int64_t{86400} * 1000000000;
inline constexpr int64_t kMaxDurationNs = 30 * kDay;  // warmup and duration each
inline constexpr int64_t kMaxDrainTimeoutNs = kDay;
// Files read while validating or running: only regular files up to these sizes.
inline constexpr int64_t kMaxExperimentFileBytes = int64_t{4} << 20;
inline constexpr int64_t kMaxPayloadFileBytes = int64_t{64} << 20;
inline constexpr int64_t kMaxPayloadPoolBytes = int64_t{64} << 20;  // pool x message size, per producer
inline constexpr int64_t kMaxSecretFileBytes = int64_t{1} << 20;

}  // namespace bakeoff
