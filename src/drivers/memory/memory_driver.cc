#include "drivers/memory/memory_driver.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "base/cpu_relax.h"
#include "drivers/memory/doorbell.h"
#include "drivers/memory/spsc_ring.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

constexpr size_t kAckBatch = 256;
constexpr int64_t kThrottleCreditNs = 50'000'000;
constexpr size_t kMaxRingBytesTotal = size_t{512} << 20;  // all rings of a run together

struct MemorySettings {
  size_t queue_depth = 0;
  std::optional<double> max_msgs_per_s;
  std::optional<std::chrono::nanoseconds> stall_after;
  std::chrono::nanoseconds stall_for{};
  uint64_t drop_every = 0;
  std::optional<int> drop_subscription;
  uint64_t duplicate_every = 0;
};

const OptionBinder<MemorySettings>& MemoryOptions() {
  using S = MemorySettings;
  using namespace std::chrono_literals;
  static const OptionBinder<S>* binder = [] {
    auto* b = new OptionBinder<S>();
    b->Int("queue_depth", &S::queue_depth)
        .Default(65536)
        .Range(16, 16'777'216)
        .Help("Slots per (producer, stream) ring; a full ring pushes back on the producer.");
    b->Double("max_msgs_per_s", &S::max_msgs_per_s)
        .Min(1)
        .Help(
            "Throttle: each producer accepts at most this many messages per second (simulates a slower "
            "system).");
    b->Duration("stall_after", &S::stall_after)
        .Help("Fault: once, this long after the first send, block the send path for `stall_for`.");
    b->Duration("stall_for", &S::stall_for)
        .Default(1s)
        .Range(0s, 3600s)
        .Help("Fault: how long the one stall lasts.");
    b->Int("drop_every", &S::drop_every)
        .Default(0)
        .Min(0)
        .Help("Fault: acknowledge but never deliver every Nth message of each producer (0 = never).");
    b->Int("drop_subscription", &S::drop_subscription)
        .Range(0, 63)
        .Help(
            "Fault: drop_every drops only from this subscription (0-based); the others get every message. "
            "Unset: from every subscription.");
    b->Int("duplicate_every", &S::duplicate_every)
        .Default(0)
        .Min(0)
        .Help("Fault: deliver every Nth message of each producer twice (0 = never).");
    return b;
  }();
  return *binder;
}

int64_t MaxMessageBytes(const WorkloadSpec& w) {
  switch (w.message_size.distribution) {
    case MessageSizeSpec::Distribution::kFixed:
      return w.message_size.fixed_bytes;
    case MessageSizeSpec::Distribution::kUniform:
    case MessageSizeSpec::Distribution::kNormal:
      return std::max(w.message_size.max_bytes, w.message_size.fixed_bytes);
  }
  return w.message_size.fixed_bytes;
}

// The rings of one run: one per (subscription, stream, producer). Every subscription has rings of its own,
// so each receives every message. Consumer `i` of `n` in a subscription reads the streams s with
// s % n == i and sleeps on its own doorbell when they are all empty.
struct MemoryBroker {
  int subscriptions = 1;
  int producers = 0;
  int streams = 0;
  std::vector<std::unique_ptr<SpscRing>> rings;
  // Per (subscription, stream): bumped after every push to one of the stream's rings, so that a consumer
  // of many sparse streams reads one contiguous array to find the streams with news instead of touching
  // every (stream, producer) ring (1,000 topics x 4 producers: 4,000 cache misses a pass).
  std::unique_ptr<std::atomic<uint32_t>[]> pushed;
  std::unique_ptr<Doorbell[]> doorbells;                // subscriptions x streams (consumer index < streams)
  std::unique_ptr<std::atomic<int>[]> consumer_counts;  // per subscription; 0 until its consumers exist
  SpscRing& ring(int subscription, uint32_t stream, int producer) {
    return *rings[(static_cast<size_t>(subscription) * streams + stream) * producers + producer];
  }
  std::atomic<uint32_t>& pushed_to(int subscription, uint32_t stream) {
    return pushed[static_cast<size_t>(subscription) * streams + stream];
  }
  Doorbell& doorbell(int subscription, int consumer) {
    return doorbells[static_cast<size_t>(subscription) * streams + consumer];
  }
  // Wakes the consumer of `stream` in `subscription` if it sleeps (after Doorbell::ProducerFence()).
  void RingConsumerOf(int subscription, uint32_t stream) {
    const int consumers = consumer_counts[subscription].load(std::memory_order_relaxed);
    if (consumers > 0) doorbell(subscription, static_cast<int>(stream % consumers)).RingIfSleeping();
  }
};

class MemoryProducer final : public Producer {
 public:
  MemoryProducer(std::shared_ptr<MemoryBroker> broker, int index, CompletionSink& sink,
                 const MemorySettings& settings, bool closed_loop)
      : broker_(std::move(broker)),
        index_(index),
        sink_(sink),
        signal_every_sends_(closed_loop ? kClosedLoopSignalEverySends : 1) {
    if (settings.max_msgs_per_s) throttle_interval_ns_ = 1e9 / *settings.max_msgs_per_s;
    if (settings.stall_after) {
      stall_after_ns_ = settings.stall_after->count();
      stall_for_ns_ = settings.stall_for.count();
    }
    drop_every_ = settings.drop_every;
    drop_subscription_ = settings.drop_subscription.value_or(-1);
    duplicate_every_ = settings.duplicate_every;
    pending_.reserve(kAckBatch);
    stream_unsignalled_.assign(static_cast<size_t>(broker_->streams), 0);
  }

  Status Send(const OutMessage& m) override {
    if (m.stream >= static_cast<uint32_t>(broker_->streams)) return InvalidArgument("no such stream");
    if (throttle_interval_ns_ > 0 || stall_after_ns_ >= 0) ApplyThrottleAndStall();
    if (throttle_interval_ns_ > 0) {
      const int64_t now = MonotonicNowNs();
      if (now < next_allowed_ns_) return QueueFull("throttled by max_msgs_per_s");
      // A token bucket with 50 ms of credit: a producer thread descheduled for a few ms on a loaded
      // machine may catch up, yet over any second no more than the rate (+ 50 ms of it) gets through.
      next_allowed_ns_ =
          std::max(next_allowed_ns_ + static_cast<int64_t>(throttle_interval_ns_), now - kThrottleCreditNs);
    }
    // All or nothing: only this producer pushes to its rings, so room seen here is still there below.
    for (int sub = 0; sub < broker_->subscriptions; ++sub) {
      if (!broker_->ring(sub, m.stream, index_).CanPush()) return QueueFull("ring full");
    }
    const uint64_t n = ++sends_;
    const bool drop = drop_every_ && n % drop_every_ == 0;
    const bool duplicate = duplicate_every_ && n % duplicate_every_ == 0;
    for (int sub = 0; sub < broker_->subscriptions; ++sub) {
      if (drop && (drop_subscription_ < 0 || drop_subscription_ == sub)) continue;
      SpscRing& ring = broker_->ring(sub, m.stream, index_);
      (void)ring.TryPush(m.payload);
      if (duplicate) {
        // Best effort: a full ring simply skips the duplicate.
        (void)ring.TryPush(m.payload);
      }
      broker_->pushed_to(sub, m.stream).fetch_add(1, std::memory_order_release);
    }
    if (!stream_unsignalled_[m.stream]) {
      stream_unsignalled_[m.stream] = 1;
      unsignalled_streams_.push_back(m.stream);
    }
    if (++unsignalled_sends_ >= signal_every_sends_) SignalConsumers();
    pending_.push_back(m.ticket);
    if (pending_.size() >= kAckBatch) FlushAcks();
    return Status::Ok();
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    SignalConsumers();
    if (!pending_.empty()) {
      FlushAcks();
      return;
    }
    if (max_wait.count() > 0)
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(50'000)));
  }

  Status Flush(std::chrono::nanoseconds) override {
    SignalConsumers();
    FlushAcks();
    return Status::Ok();
  }

 private:
  // Wakes the consumers of the streams pushed to since the last call, if they sleep. Paced runs signal on
  // every send (a producer preempted between its send and its next poll must not leave the message
  // unannounced); closed-loop runs on every Poll() and every kClosedLoopSignalEverySends sends, so a
  // full-speed producer pays for one fence per batch rather than per message.
  void SignalConsumers() {
    if (unsignalled_streams_.empty()) return;
    Doorbell::ProducerFence();
    for (uint32_t stream : unsignalled_streams_) {
      for (int sub = 0; sub < broker_->subscriptions; ++sub) broker_->RingConsumerOf(sub, stream);
      stream_unsignalled_[stream] = 0;
    }
    unsignalled_streams_.clear();
    unsignalled_sends_ = 0;
  }

  void FlushAcks() {
    if (pending_.empty()) return;
    sink_.OnAcked(pending_);
    pending_.clear();
  }

  void ApplyThrottleAndStall() {
    if (stall_after_ns_ < 0) return;
    const int64_t now = MonotonicNowNs();
    if (first_send_ns_ == 0) first_send_ns_ = now;
    if (now - first_send_ns_ >= stall_after_ns_) {
      stall_after_ns_ = -1;  // once
      std::this_thread::sleep_for(std::chrono::nanoseconds(stall_for_ns_));
    }
  }

  std::shared_ptr<MemoryBroker> broker_;
  int index_;
  CompletionSink& sink_;
  std::vector<SendTicket> pending_;
  static constexpr int kClosedLoopSignalEverySends = 16;
  int signal_every_sends_;
  std::vector<uint32_t> unsignalled_streams_;  // pushed to since the last SignalConsumers()
  std::vector<uint8_t> stream_unsignalled_;    // per stream: in unsignalled_streams_
  int unsignalled_sends_ = 0;
  double throttle_interval_ns_ = 0;
  int64_t next_allowed_ns_ = 0;
  int64_t stall_after_ns_ = -1;
  int64_t stall_for_ns_ = 0;
  int64_t first_send_ns_ = 0;
  uint64_t drop_every_ = 0;
  int drop_subscription_ = -1;  // -1: drop_every drops from every subscription
  uint64_t duplicate_every_ = 0;
  uint64_t sends_ = 0;
};

class MemoryConsumer final : public Consumer {
 public:
  MemoryConsumer(std::shared_ptr<MemoryBroker> broker, const ConsumerSpec& spec, bool closed_loop)
      : broker_(std::move(broker)),
        subscription_(spec.subscription),
        spin_ns_(closed_loop ? kClosedLoopSpinNs : kPacedSpinNs) {
    if (spec.index < broker_->streams) doorbell_ = &broker_->doorbell(spec.subscription, spec.index);
    for (int s = spec.index; s < broker_->streams; s += spec.count)
      streams_.push_back({static_cast<uint32_t>(s), 0});
    batch_.reserve(kMaxBatch);
  }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (streams_.empty()) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    const int64_t deadline = MonotonicNowNs() + max_wait.count();
    int64_t spin_until = 0;
    while (true) {
      if (DeliverReadable(sink)) return Status::Ok();
      const int64_t now = MonotonicNowNs();
      if (spin_until == 0) spin_until = now + spin_ns_;
      if (now < spin_until) {
        CpuRelax();
        continue;
      }
      const int64_t left = deadline - now;
      if (left <= 0) return Status::Ok();
      // Block, not yield: see doorbell.h.
      const uint32_t token = doorbell_->PrepareWait();
      if (AnyReadable()) {
        doorbell_->CancelWait();
      } else {
        doorbell_->Wait(token, left);
      }
      spin_until = 0;
    }
  }

  Status Close() override { return Status::Ok(); }

 private:
  // One pass over the consumer's streams, delivering what the ones with news have; whether anything was.
  bool DeliverReadable(ReceiveSink& sink) {
    bool delivered = false;
    for (size_t i = 0; i < streams_.size(); ++i) {
      OwnStream& own = streams_[next_stream_];
      next_stream_ = (next_stream_ + 1) % streams_.size();
      // Read before the rings: a push after this read bumps the counter again, so none is missed.
      const uint32_t pushed = broker_->pushed_to(subscription_, own.stream).load(std::memory_order_acquire);
      if (pushed == own.seen) continue;
      bool more = false;  // a ring had more than one batch: look again next pass
      for (int p = 0; p < broker_->producers; ++p) {
        SpscRing& ring = broker_->ring(subscription_, own.stream, p);
        const size_t n = ring.Readable(kMaxBatch);
        if (n == 0) continue;
        batch_.clear();
        for (size_t k = 0; k < n; ++k) batch_.push_back({own.stream, ring.Peek(k)});
        sink.OnReceived(batch_);
        ring.Consume(n);
        delivered = true;
        more = more || n == kMaxBatch;
      }
      if (!more) own.seen = pushed;
    }
    return delivered;
  }
  // After Doorbell::PrepareWait(): whether a stream has news after all (see doorbell.h).
  bool AnyReadable() {
    for (const OwnStream& own : streams_) {
      if (broker_->pushed_to(subscription_, own.stream).load(std::memory_order_acquire) != own.seen)
        return true;
    }
    return false;
  }

  static constexpr size_t kMaxBatch = 256;
  // How long an empty consumer spins before it blocks. Paced (fixed-rate) runs spin briefly, like a
  // blocking socket read: between messages the consumer sleeps, and on a busy machine its wake-ups get
  // the scheduler's preference (a thread that spins through every gap is a CPU hog to the scheduler and
  // queues behind busy processes). Closed-loop (`rate: max`) runs spin longer, as the producer refills
  // the rings within it and a wake-up per batch would cost it throughput.
  static constexpr int64_t kPacedSpinNs = 5'000;
  static constexpr int64_t kClosedLoopSpinNs = 200'000;
  struct OwnStream {
    uint32_t stream;
    uint32_t seen;  // the stream's pushed count when its rings were last emptied
  };
  std::shared_ptr<MemoryBroker> broker_;
  int subscription_;
  int64_t spin_ns_;
  std::vector<OwnStream> streams_;
  Doorbell* doorbell_ = nullptr;  // set whenever streams_ is not empty
  size_t next_stream_ = 0;
  std::vector<InMessage> batch_;
};

class MemorySession final : public Session {
 public:
  MemorySession(const SessionContext& ctx, MemorySettings settings) : ctx_(ctx), settings_(settings) {}

  Status CreateTopics(const TopicLayout& layout) override {
    auto broker = std::make_shared<MemoryBroker>();
    broker->subscriptions = std::max(1, ctx_.workload->subscriptions);
    broker->producers = std::max(1, ctx_.workload->producers);
    broker->streams = static_cast<int>(layout.topics.size()) * layout.partitions;
    const size_t slot_bytes = static_cast<size_t>(MaxMessageBytes(*ctx_.workload));
    const size_t rings = static_cast<size_t>(broker->subscriptions) * broker->producers * broker->streams;
    size_t slots = settings_.queue_depth;
    const size_t budget_slots = kMaxRingBytesTotal / (rings * (slot_bytes + 8));
    slots = std::max<size_t>(16, std::min(slots, budget_slots));
    for (size_t i = 0; i < rings; ++i) broker->rings.push_back(std::make_unique<SpscRing>(slots, slot_bytes));
    broker->doorbells =
        std::make_unique<Doorbell[]>(static_cast<size_t>(broker->subscriptions) * broker->streams);
    broker->consumer_counts = std::make_unique<std::atomic<int>[]>(broker->subscriptions);
    broker->pushed.reset(
        new std::atomic<uint32_t>[static_cast<size_t>(broker->subscriptions) * broker->streams] {});
    broker_ = std::move(broker);
    return Status::Ok();
  }

  Status DeleteTopics() override {
    broker_.reset();
    return Status::Ok();
  }

  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    if (!broker_) return Internal("memory: CreateTopics must come first");
    if (index >= broker_->producers) return InvalidArgument("memory: producer index out of range");
    return std::unique_ptr<Producer>(
        new MemoryProducer(broker_, index, sink, settings_, ctx_.workload->rate.max));
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (!broker_) return Internal("memory: CreateTopics must come first");
    if (!spec.valid() || spec.subscription >= broker_->subscriptions)
      return InvalidArgument("memory: consumer outside the run's subscriptions");
    broker_->consumer_counts[spec.subscription].store(spec.count, std::memory_order_relaxed);
    return std::unique_ptr<Consumer>(new MemoryConsumer(broker_, spec, ctx_.workload->rate.max));
  }

  std::map<std::string, std::string> Facts() override {
    return {{"implementation", "in-process SPSC rings (one per subscription, producer and stream)"},
            {"delivery_guarantee", "none: in-process baseline (no system, nothing stored or acked)"}};
  }

 private:
  SessionContext ctx_;
  MemorySettings settings_;
  std::shared_ptr<MemoryBroker> broker_;
};

class MemoryDriver final : public Driver {
 public:
  std::string name() const override { return "memory"; }
  std::string description() const override {
    return "In-process lock-free rings: measures the harness itself; fault options for testing.";
  }
  const OptionSchema& schema() const override { return MemoryOptions().schema(); }
  const OptionBinding* option_binding() const override { return &MemoryOptions(); }
  Capabilities capabilities(const OptionValues&) const override {
    return {.ordered_per_stream = true, .confirms_publish = false, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& ctx) override {
    Result<MemorySettings> settings = MemoryOptions().Bind(ctx.system->options);
    if (!settings.ok()) return settings.status();
    return std::unique_ptr<Session>(new MemorySession(ctx, *settings));
  }
};

}  // namespace

Driver* GetMemoryDriver() {
  static MemoryDriver driver;
  return &driver;
}

}  // namespace bakeoff
