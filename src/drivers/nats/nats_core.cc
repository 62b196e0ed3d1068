// The "nats" driver: core NATS subjects, fire-and-forget, no persistence.
//
// Stream s is subject "<topic>.<partition>". Each producer and each consumer has its own connection
// (cnats serialises a connection's publishes and its subscriptions' reads behind one lock, and a
// benchmark must not let the two directions slow each other). A send is "acked" once the client has
// it in its buffer: core NATS confirms nothing, so publish latency is the client's. Loss is real and
// shows in the accounting: when a consumer cannot keep up, cnats drops messages beyond the pending
// limits (counted as slow-consumer events and dropped messages in the facts), and a server that
// drops a slow client loses whatever was in flight.
#include <algorithm>
#include <thread>

#include "drivers/kit/backoff.h"
#include "drivers/nats/nats_common.h"
#include "drivers/nats/nats_driver.h"
#include "drivers/nats/nats_options.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

using namespace nats_internal;

constexpr size_t kAckBatch = 256;
constexpr int64_t kDropCheckIntervalNs = 100'000'000;
constexpr int64_t kSlowConsumerReportIntervalNs = 1'000'000'000;

// Counters shared by a session's consumers, reported in Facts().
struct CoreCounters {
  std::atomic<int64_t> dropped{0};  // messages cnats dropped (pending limits), all consumers
  std::atomic<uint64_t> slow_consumer_events{0};
  std::atomic<uint64_t> receive_errors{0};
};

class CoreProducer final : public Producer {
 public:
  CoreProducer(Connection connection, std::vector<std::string> subjects, CompletionSink& sink,
               const NatsCoreSettings& settings)
      : connection_(std::move(connection)), subjects_(std::move(subjects)), sink_(sink) {
    flush_interval_ns_ = settings.flush_interval.count();
    flush_timeout_ms_ = ToMillis(settings.flush_timeout);
    acked_.reserve(kAckBatch);
    last_flush_ns_ = MonotonicNowNs();
  }

  Status Send(const OutMessage& m) override {
    if (m.stream >= subjects_.size()) return InvalidArgument("nats: stream outside the topic layout");
    const natsStatus s = natsConnection_Publish(connection_.nc.get(), subjects_[m.stream].c_str(),
                                                m.payload.data(), static_cast<int>(m.payload.size()));
    if (s != NATS_OK) {
      Status st = NatsError(s, "nats: publish");
      // A full reconnect buffer does not drain by retrying sooner: the message fails.
      return st.code() == StatusCode::kQueueFull ? Unavailable(st.message()) : st;
    }
    acked_.push_back(m.ticket);
    if (acked_.size() >= kAckBatch) ReportAcks();
    return Status::Ok();
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    ReportAcks();
    const int64_t now = MonotonicNowNs();
    if (flush_interval_ns_ > 0 && now - last_flush_ns_ >= flush_interval_ns_) {
      // A PING/PONG round trip: surfaces a dead connection early; errors show at the next Send/Flush.
      last_flush_ns_ = now;
      (void)natsConnection_FlushTimeout(connection_.nc.get(), flush_timeout_ms_);
      return;
    }
    if (max_wait.count() > 0)
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(1'000'000)));
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    ReportAcks();
    const natsStatus s = natsConnection_FlushTimeout(connection_.nc.get(), ToMillis(timeout));
    return s == NATS_OK ? Status::Ok() : NatsError(s, "nats: flush");
  }

 private:
  void ReportAcks() {
    if (acked_.empty()) return;
    sink_.OnAcked(acked_);
    acked_.clear();
  }

  Connection connection_;
  std::vector<std::string> subjects_;
  CompletionSink& sink_;
  std::vector<SendTicket> acked_;
  int64_t flush_interval_ns_ = 0;
  int64_t flush_timeout_ms_ = 5000;
  int64_t last_flush_ns_ = 0;
};

class CoreConsumer final : public Consumer {
 public:
  CoreConsumer(Connection connection, std::shared_ptr<CoreCounters> counters, size_t batch)
      : connection_(std::move(connection)), counters_(std::move(counters)), batch_limit_(batch) {
    batch_.reserve(batch_limit_);
    msgs_.reserve(batch_limit_);
  }

  ~CoreConsumer() override { (void)Close(); }

  Status Subscribe(const std::vector<std::pair<uint32_t, std::string>>& streams,
                   const NatsCoreSettings& settings, std::chrono::nanoseconds timeout) {
    for (const auto& [stream, subject] : streams) {
      natsSubscription* sub = nullptr;
      natsStatus s = natsConnection_SubscribeSync(&sub, connection_.nc.get(), subject.c_str());
      if (s != NATS_OK) return NatsError(s, "nats: subscribe " + subject);
      subs_.push_back({SubscriptionPtr(sub), stream});
      s = natsSubscription_SetPendingLimits(sub, settings.pending_msgs_limit, settings.pending_bytes_limit);
      if (s != NATS_OK) return NatsError(s, "nats: pending limits");
    }
    // The server has registered the subscriptions once it answers a PING sent after them.
    const natsStatus s = natsConnection_FlushTimeout(connection_.nc.get(), ToMillis(timeout));
    return s == NATS_OK ? Status::Ok() : NatsError(s, "nats: confirm subscriptions");
  }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (subs_.empty()) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    Status error;
    bool slow = false;
    // A non-blocking sweep over every subscription first, then one bounded wait if nothing came.
    for (size_t i = 0; i < subs_.size(); ++i) Drain(subs_[(next_ + i) % subs_.size()], 0, sink, error, slow);
    if (delivered_ == 0 && error.ok()) {
      const int64_t wait_ms =
          std::max<int64_t>(1, ToMillis(max_wait, 0) / static_cast<int64_t>(subs_.size()));
      Drain(subs_[next_], wait_ms, sink, error, slow);
      next_ = (next_ + 1) % subs_.size();
    }
    delivered_ = 0;
    const int64_t now = MonotonicNowNs();
    if (now - last_drop_check_ns_ >= kDropCheckIntervalNs) UpdateDropped(now);
    if (!error.ok()) {
      counters_->receive_errors.fetch_add(1, std::memory_order_relaxed);
      return error;
    }
    if (slow) {
      counters_->slow_consumer_events.fetch_add(1, std::memory_order_relaxed);
      // Reported (at most once a second) so that the run's errors show it; the loss itself shows as
      // missing sequence numbers in the accounting.
      if (now - last_slow_report_ns_ >= kSlowConsumerReportIntervalNs) {
        last_slow_report_ns_ = now;
        return Unavailable("nats: slow consumer: the client dropped messages beyond its pending limits");
      }
    }
    return Status::Ok();
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    UpdateDropped(MonotonicNowNs());
    for (Sub& s : subs_) (void)natsSubscription_Unsubscribe(s.sub.get());
    subs_.clear();
    connection_.nc.reset();
    return Status::Ok();
  }

 private:
  struct Sub {
    SubscriptionPtr sub;
    uint32_t stream;
    int64_t dropped = 0;
  };

  void Drain(Sub& sub, int64_t first_wait_ms, ReceiveSink& sink, Status& error, bool& slow) {
    int64_t wait_ms = first_wait_ms;
    while (msgs_.size() < batch_limit_) {
      natsMsg* msg = nullptr;
      const natsStatus s = natsSubscription_NextMsg(&msg, sub.sub.get(), wait_ms);
      wait_ms = 0;
      if (s == NATS_OK) {
        msgs_.push_back(msg);
        batch_.push_back(
            {sub.stream, std::span<const std::byte>(reinterpret_cast<const std::byte*>(natsMsg_GetData(msg)),
                                                    static_cast<size_t>(natsMsg_GetDataLength(msg)))});
        continue;
      }
      if (s == NATS_SLOW_CONSUMER) {  // once per drop episode; messages may still be pending
        slow = true;
        continue;
      }
      if (s != NATS_TIMEOUT) error = NatsError(s, "nats: next message");
      break;
    }
    if (batch_.empty()) return;
    sink.OnReceived(batch_);
    delivered_ += batch_.size();
    batch_.clear();
    for (natsMsg* m : msgs_) natsMsg_Destroy(m);
    msgs_.clear();
  }

  void UpdateDropped(int64_t now) {
    last_drop_check_ns_ = now;
    for (Sub& s : subs_) {
      int64_t dropped = 0;
      if (natsSubscription_GetDropped(s.sub.get(), &dropped) == NATS_OK && dropped > s.dropped) {
        counters_->dropped.fetch_add(dropped - s.dropped, std::memory_order_relaxed);
        s.dropped = dropped;
      }
    }
  }

  Connection connection_;
  std::shared_ptr<CoreCounters> counters_;
  std::vector<Sub> subs_;
  const size_t batch_limit_;
  std::vector<InMessage> batch_;
  std::vector<natsMsg*> msgs_;
  size_t next_ = 0;
  size_t delivered_ = 0;
  int64_t last_drop_check_ns_ = 0;
  int64_t last_slow_report_ns_ = 0;
  bool closed_ = false;
};

class CoreSession final : public Session {
 public:
  CoreSession(const SessionContext& ctx, NatsCoreSettings settings, Connection control)
      : ctx_(ctx), settings_(std::move(settings)), control_(std::move(control)) {}

  Status CreateTopics(const TopicLayout& layout) override {
    subjects_.clear();
    for (const std::string& topic : layout.topics) {
      for (int p = 0; p < layout.partitions; ++p) subjects_.push_back(SubjectFor(topic, p));
    }
    return Status::Ok();  // core subjects need no creation
  }

  Status DeleteTopics() override { return Status::Ok(); }

  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    if (subjects_.empty()) return Internal("nats: CreateTopics must come first");
    Result<Connection> c = Connect(settings_, ctx_.endpoints, "producer-" + std::to_string(index));
    if (!c.ok()) return c.status();
    return std::unique_ptr<Producer>(new CoreProducer(std::move(c).value(), subjects_, sink, settings_));
  }

  // Fan-out needs nothing of the server: core NATS delivers a message to every subscriber of its subject,
  // and each subscription's consumers subscribe to their share of the subjects.
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (subjects_.empty()) return Internal("nats: CreateTopics must come first");
    if (!spec.valid()) return InvalidArgument("nats: consumer outside the run's subscriptions");
    const std::string sub = spec.subscriptions == 1 ? "" : "-s" + std::to_string(spec.subscription);
    Result<Connection> c = Connect(settings_, ctx_.endpoints, "consumer-" + std::to_string(spec.index) + sub);
    if (!c.ok()) return c.status();
    auto consumer = std::make_unique<CoreConsumer>(std::move(c).value(), counters_, settings_.poll_batch);
    std::vector<std::pair<uint32_t, std::string>> streams;
    for (uint32_t s : OwnedStreams(spec.index, spec.count, static_cast<int>(subjects_.size()))) {
      streams.emplace_back(s, subjects_[s]);
    }
    BAKEOFF_RETURN_IF_ERROR(consumer->Subscribe(streams, settings_, settings_.flush_timeout));
    return std::unique_ptr<Consumer>(std::move(consumer));
  }

  std::map<std::string, std::string> Facts() override {
    auto facts = ConnectionFacts(control_.nc.get(), ctx_.system->options);
    facts["semantics"] = "core NATS: at most once; a send is acked once the client buffered it";
    facts["delivery_guarantee"] = "at-most-once, fire-and-forget: not acked by the server, not stored";
    facts["client_dropped_msgs"] = std::to_string(counters_->dropped.load());
    facts["slow_consumer_events"] = std::to_string(counters_->slow_consumer_events.load());
    facts["consumer_receive_errors"] = std::to_string(counters_->receive_errors.load());
    return facts;
  }

 private:
  SessionContext ctx_;
  NatsCoreSettings settings_;
  Connection control_;
  std::vector<std::string> subjects_;
  std::shared_ptr<CoreCounters> counters_ = std::make_shared<CoreCounters>();
};

class NatsCoreDriver final : public Driver {
 public:
  std::string name() const override { return "nats"; }
  std::string description() const override {
    return "NATS core subjects (cnats): fire-and-forget publish, subscriber pending limits; loss under "
           "overload shows in the accounting.";
  }
  const OptionSchema& schema() const override { return NatsCoreSchema(); }
  const OptionBinding* option_binding() const override { return &NatsCoreOptions(); }
  Capabilities capabilities(const OptionValues&) const override {
    return {.ordered_per_stream = true, .confirms_publish = false, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& ctx) override {
    return drivers_kit::ConnectOrStatus("nats", [&]() -> Result<std::unique_ptr<Session>> {
      Result<NatsCoreSettings> settings = NatsCoreOptions().Bind(ctx.system->options);
      if (!settings.ok()) return settings.status();
      Result<Connection> control = nats_internal::Connect(*settings, ctx.endpoints, "control");
      if (!control.ok()) return control.status();
      return std::unique_ptr<Session>(
          new CoreSession(ctx, std::move(settings).value(), std::move(control).value()));
    });
  }
};

}  // namespace

Driver* GetNatsDriver() {
  static NatsCoreDriver driver;
  return &driver;
}

}  // namespace bakeoff
