#include "drivers/nats/nats_options.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kMiB = 1024 * 1024;

template <typename S>
void DeclareConnection(OptionBinder<S>& b) {
  using C = NatsConnectionSettings;
  b.String("url", &C::url)
      .Help("Comma-separated server URLs (nats://host:port,...); by default the environment's.");
  b.String("user", &C::user)
      .Help("User name for user/password authentication; may be a ${env:NAME} reference.");
  b.String("password", &C::password)
      .Secret()
      .Help("Password as a reference, e.g. ${env:NATS_PASSWORD}; resolved at connect time.");
  b.String("token", &C::token).Secret().Help("Authentication token as a reference, e.g. ${env:NATS_TOKEN}.");
  b.String("credentials_file", &C::credentials_file)
      .Help("Path of a .creds file (JWT + NKey seed) for decentralized authentication.");
  b.Bool("tls", &C::tls).Default(false).Help("Require TLS (system trust store).");
  b.Duration("connect_timeout", &C::connect_timeout)
      .Default(2s)
      .Range(1ms, 600s)
      .Help("Timeout of one connection attempt (TCP connect + INFO/CONNECT handshake).");
  b.Int("max_reconnect", &C::max_reconnect)
      .Default(3)
      .Range(0, 1'000'000)
      .Help(
          "Reconnect attempts (per server) after a lost connection before the client gives up and "
          "sends/receives fail; 0 = never reconnect.");
  b.Duration("reconnect_wait", &C::reconnect_wait)
      .Default(250ms)
      .Range(0s, 600s)
      .Help("Pause between reconnect attempts to the same server.");
  b.Bytes("reconnect_buffer", &C::reconnect_buffer)
      .Default(8 * kMiB)
      .Range(0, 1 << 30)
      .Help("Bytes of publishes the client buffers while reconnecting; beyond that Send fails.");
  b.Bytes("io_buffer", &C::io_buffer)
      .Default(32 * 1024)
      .Range(0, 64 * kMiB)
      .Help("Size of the client's socket read/write buffers (cnats default 32 KiB).");
  b.Bool("send_asap", &C::send_asap)
      .Default(false)
      .Help(
          "Write every publish to the socket at once instead of letting the flusher batch them "
          "(lower latency at low rates, fewer messages/s at high rates).");
  b.Duration("ping_interval", &C::ping_interval)
      .Default(5s)
      .Range(10ms, 3600s)
      .Help("Client PING interval; two missed PONGs mark a silent server as lost.");
}

void DeclareCore(OptionBinder<NatsCoreSettings>& b) {
  using S = NatsCoreSettings;
  DeclareConnection(b);
  b.Int("pending_msgs_limit", &S::pending_msgs_limit)
      .Default(65536)
      .Range(1, 2'147'483'647)
      .Help(
          "Messages a subscription may hold unread in the client; beyond that cnats drops them (slow "
          "consumer) and the accounting shows the loss.");
  b.Bytes("pending_bytes_limit", &S::pending_bytes_limit)
      .Default(int64_t{64} << 20)
      .Range(1024, 2'147'483'647)
      .Help("Bytes a subscription may hold unread in the client before it drops messages.");
  b.Int("poll_batch", &S::poll_batch)
      .Default(1024)
      .Range(1, 1'000'000)
      .Help("Most messages one consumer Poll hands to the harness per subscription.");
  b.Duration("flush_interval", &S::flush_interval)
      .Default(100ms)
      .Range(0s, 3600s)
      .Help(
          "How often an idle-waiting producer round-trips a PING (detects a dead server early); 0 = only "
          "at the end.");
  b.Duration("flush_timeout", &S::flush_timeout)
      .Default(5s)
      .Range(1ms, 3600s)
      .Help("Bound of each PING/PONG flush and of the subscription confirmation.");
}

void DeclareJetStream(OptionBinder<NatsJetStreamSettings>& b) {
  using S = NatsJetStreamSettings;
  DeclareConnection(b);
  b.Enum("storage", &S::storage)
      .Choices({"file", "memory"})
      .Default("file")
      .Help("Stream storage: file (survives restarts) or memory.");
  b.Int("replicas", &S::replicas)
      .Default(0)
      .Range(0, 5)
      .Help("Stream replicas (1, 3 or 5 on a cluster); 0 = the workload's replication factor.");
  b.Enum("stream_per", &S::stream_per)
      .Choices({"topic", "run"})
      .Default("topic")
      .Help("One stream per topic (subjects <topic>.<partition>) or one stream for all topics of the run.");
  b.Int("max_pending", &S::max_pending)
      .Default(4096)
      .Range(1, 10'000'000)
      .Help("Async publish window: publishes in flight without an ack before Send pushes back.");
  b.Duration("stall_wait", &S::stall_wait)
      .Default(1ms)
      .Range(1ms, 60s)
      .Help(
          "How long one publish may wait inside the client for the window to open before Send reports a "
          "full queue.");
  b.Duration("publish_ack_timeout", &S::publish_ack_timeout)
      .Default(0s)
      .Range(0s, 3600s)
      .Help(
          "Per-message publish ack timeout (jsPubOptions.MaxWait) after which the send fails; 0 = none "
          "(unacked sends fail at the final flush).");
  b.Enum("ack_mode", &S::ack_mode)
      .Choices({"explicit", "all", "none"})
      .Default("explicit")
      .Help(
          "Consumer ack policy: ack every message, ack the last of each fetched batch (AckAll), or none "
          "(no redelivery; at most once).");
  b.Int("fetch_batch", &S::fetch_batch)
      .Default(256)
      .Range(1, 100'000)
      .Help("Messages per pull request (natsSubscription_FetchRequest batch).");
  b.Duration("fetch_wait", &S::fetch_wait)
      .Default(1ms)
      .Range(100us, 60s)
      .Help(
          "A consumer pulls one durable per whole topic it owns (else one per partition) in turn: how long "
          "the server may hold one pull while nothing arrives before the consumer moves on. With a single "
          "durable (one topic or one partition) the consumer long-polls it.");
  b.Int("max_ack_pending", &S::max_ack_pending)
      .Default(65536)
      .Range(1, 100'000'000)
      .Help("Delivered but unacknowledged messages per durable consumer before the server pauses it.");
  b.Duration("ack_wait", &S::ack_wait)
      .Default(30s)
      .Range(1ms, 86'400s)
      .Help("How long the server waits for an ack before redelivering (shows as duplicates).");
  b.Duration("api_timeout", &S::api_timeout)
      .Default(5s)
      .Range(1ms, 600s)
      .Help("Timeout of JetStream API requests (create/delete stream and consumer).");
}

}  // namespace

const OptionBinder<NatsCoreSettings>& NatsCoreOptions() {
  static const OptionBinder<NatsCoreSettings>* binder = [] {
    auto* b = new OptionBinder<NatsCoreSettings>();
    DeclareCore(*b);
    return b;
  }();
  return *binder;
}

const OptionBinder<NatsJetStreamSettings>& NatsJetStreamOptions() {
  static const OptionBinder<NatsJetStreamSettings>* binder = [] {
    auto* b = new OptionBinder<NatsJetStreamSettings>();
    DeclareJetStream(*b);
    return b;
  }();
  return *binder;
}

}  // namespace bakeoff
