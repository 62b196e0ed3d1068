#include "drivers/nats/nats_options.h"

#include <optional>

#include "drivers/nats/nats_common.h"

namespace bakeoff {
namespace {

OptionSpec Opt(const char* name, OptionType type, OptionValue default_value, const char* help, double min,
               double max) {
  OptionSpec spec;
  spec.name = name;
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.help = help;
  if (type != OptionType::kBool && type != OptionType::kEnum) {
    spec.min = min;
    spec.max = max;
  }
  return spec;
}

OptionSpec Enum(const char* name, const char* default_value, std::vector<std::string> choices,
                const char* help) {
  OptionSpec spec;
  spec.name = name;
  spec.type = OptionType::kEnum;
  spec.default_value = std::string(default_value);
  spec.choices = std::move(choices);
  spec.help = help;
  return spec;
}

OptionSchema MakeCoreSchema() {
  OptionSchema s;
  nats_internal::AddConnectionOptions(s.options);
  s.options.push_back(Opt("pending_msgs_limit", OptionType::kInt, int64_t{65536},
                          "Messages a subscription may hold unread in the client; beyond that cnats drops "
                          "them (slow consumer) and the accounting shows the loss.",
                          1, 2'147'483'647));
  s.options.push_back(Opt("pending_bytes_limit", OptionType::kBytes, int64_t{64} << 20,
                          "Bytes a subscription may hold unread in the client before it drops messages.",
                          1024, 2'147'483'647));
  s.options.push_back(Opt("poll_batch", OptionType::kInt, int64_t{1024},
                          "Most messages one consumer Poll hands to the harness per subscription.", 1,
                          1'000'000));
  s.options.push_back(Opt("flush_interval", OptionType::kDuration, int64_t{100'000'000},
                          "How often an idle-waiting producer round-trips a PING (detects a dead server "
                          "early); 0 = only at the end.",
                          0, 3600));
  s.options.push_back(Opt("flush_timeout", OptionType::kDuration, int64_t{5'000'000'000},
                          "Bound of each PING/PONG flush and of the subscription confirmation.", 0.001,
                          3600));
  return s;
}

OptionSchema MakeJetStreamSchema() {
  OptionSchema s;
  nats_internal::AddConnectionOptions(s.options);
  auto& o = s.options;
  o.push_back(
      Enum("storage", "file", {"file", "memory"}, "Stream storage: file (survives restarts) or memory."));
  OptionSpec replicas =
      Opt("replicas", OptionType::kInt, int64_t{0},
          "Stream replicas (1, 3 or 5 on a cluster); 0 = the workload's replication factor.", 0, 5);
  o.push_back(replicas);
  o.push_back(
      Enum("stream_per", "topic", {"topic", "run"},
           "One stream per topic (subjects <topic>.<partition>) or one stream for all topics of the run."));
  o.push_back(Opt("max_pending", OptionType::kInt, int64_t{4096},
                  "Async publish window: publishes in flight without an ack before Send pushes back.", 1,
                  10'000'000));
  o.push_back(Opt("stall_wait", OptionType::kDuration, int64_t{1'000'000},
                  "How long one publish may wait inside the client for the window to open before Send "
                  "reports a full queue.",
                  0.001, 60));
  o.push_back(Opt("publish_ack_timeout", OptionType::kDuration, int64_t{0},
                  "Per-message publish ack timeout (jsPubOptions.MaxWait) after which the send fails; 0 = "
                  "none (unacked sends fail at the final flush).",
                  0, 3600));
  o.push_back(Enum("ack_mode", "explicit", {"explicit", "all", "none"},
                   "Consumer ack policy: ack every message, ack the last of each fetched batch (AckAll), or "
                   "none (no redelivery; at most once)."));
  o.push_back(Opt("fetch_batch", OptionType::kInt, int64_t{256},
                  "Messages per pull request (natsSubscription_FetchRequest batch).", 1, 100'000));
  o.push_back(
      Opt("fetch_wait", OptionType::kDuration, int64_t{1'000'000},
          "A consumer pulls one durable per whole topic it owns (else one per partition) in turn: how "
          "long the server may hold one pull while nothing arrives before the consumer moves on. "
          "With a single durable (one topic or one partition) the consumer long-polls it.",
          0.0001, 60));
  o.push_back(Opt("max_ack_pending", OptionType::kInt, int64_t{65536},
                  "Delivered but unacknowledged messages per durable consumer before the server pauses it.",
                  1, 100'000'000));
  o.push_back(Opt("ack_wait", OptionType::kDuration, int64_t{30'000'000'000},
                  "How long the server waits for an ack before redelivering (shows as duplicates).", 0.001,
                  86'400));
  o.push_back(Opt("api_timeout", OptionType::kDuration, int64_t{5'000'000'000},
                  "Timeout of JetStream API requests (create/delete stream and consumer).", 0.001, 600));
  return s;
}

}  // namespace

const OptionSchema& NatsCoreSchema() {
  static const OptionSchema* schema = new OptionSchema(MakeCoreSchema());
  return *schema;
}

const OptionSchema& NatsJetStreamSchema() {
  static const OptionSchema* schema = new OptionSchema(MakeJetStreamSchema());
  return *schema;
}

}  // namespace bakeoff
