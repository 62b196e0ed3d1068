// The rabbitmq consumer: one connection, one channel with basic.qos(prefetch) and one basic.consume per
// queue of its share. Poll() reads frames itself (method basic.deliver, content header, body frames) so
// that a batch is whatever already arrived: it waits up to `max_wait` for the first frame, then takes what
// is buffered without waiting. Acks are manual and batched: once `ack_batch` deliveries the sink has seen
// are unacked, or the oldest is `ack_interval` old, one basic.ack with multiple=true acks every delivery
// up to the last one (delivery tags are per channel, in delivery order). Batching matters: on a quorum
// queue every ack is a Raft command.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/rabbitmq/rabbitmq_clients.h"
#include "drivers/rabbitmq/rabbitmq_connection.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

constexpr size_t kMaxBatch = 1024;
constexpr int kMaxFramesPerPoll = 4 * kMaxBatch;
constexpr char kTagPrefix[] = "bakeoff-s";

class RabbitMqConsumer final : public Consumer {
 public:
  RabbitMqConsumer(const RabbitMqConfig& config, const TopicLayout& layout, const ConsumerSpec& spec)
      : config_(config) {
    const int streams = static_cast<int>(layout.topics.size()) * std::max(1, layout.partitions);
    for (int s = spec.index; s < streams; s += spec.count) {
      streams_.push_back(static_cast<uint32_t>(s));
      queues_.push_back(RabbitSubscriptionQueueName(layout, static_cast<uint32_t>(s), spec.subscription,
                                                    spec.subscriptions));
    }
    arena_.reserve(kMaxBatch * 256);
    batch_.reserve(kMaxBatch);
    received_.reserve(kMaxBatch);
  }

  ~RabbitMqConsumer() override { (void)Close(); }

  Status Open(int index, const std::string& name) {
    if (streams_.empty()) return Status::Ok();  // more consumers than queues: this one idles
    BAKEOFF_RETURN_IF_ERROR(conn_.Open(config_, config_.first_node_for(index), name));
    amqp_basic_qos(conn_.state(), AmqpConnection::kChannel, 0, static_cast<uint16_t>(config_.prefetch), 0);
    BAKEOFF_RETURN_IF_ERROR(conn_.CheckReply("basic.qos"));
    for (size_t i = 0; i < queues_.size(); ++i) {
      // Stream queues deliver from an offset; "first" reads what was published before we attached.
      amqp_table_entry_t offset;
      offset.key = amqp_cstring_bytes("x-stream-offset");
      offset.value.kind = AMQP_FIELD_KIND_UTF8;
      offset.value.value.bytes = amqp_cstring_bytes("first");
      const amqp_table_t arguments{config_.queue_type == RabbitQueueType::kStream ? 1 : 0, &offset};
      const std::string tag = kTagPrefix + std::to_string(i);
      amqp_basic_consume(conn_.state(), AmqpConnection::kChannel, AmqpBytes(queues_[i]), AmqpBytes(tag), 0,
                         /*no_ack=*/0, 0, arguments);
      BAKEOFF_RETURN_IF_ERROR(conn_.CheckReply("basic.consume " + queues_[i]));
    }
    return Status::Ok();
  }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (closed_) return Cancelled("rabbitmq: consumer is closed");
    if (streams_.empty()) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    if (conn_.broken()) {
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(10'000'000)));
      return conn_.failure();
    }
    if (first_unacked_ns_ != 0) {
      // Wake up in time to ack what is unacked.
      const int64_t ack_due = first_unacked_ns_ + config_.ack_interval.count() - MonotonicNowNs();
      max_wait = std::min(max_wait, std::chrono::nanoseconds(std::max<int64_t>(0, ack_due)));
    }
    Status status = ReadFrames(max_wait);
    if (!received_.empty()) Deliver(sink);
    MaybeAck();
    if (!conn_.broken()) amqp_maybe_release_buffers(conn_.state());
    if (status.ok() && !cancelled_by_broker_.ok()) status = std::exchange(cancelled_by_broker_, Status::Ok());
    return status;
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    AckDelivered();
    conn_.Close();
    return Status::Ok();
  }

 private:
  Status ReadFrames(std::chrono::nanoseconds max_wait) {
    // Wait for the first frame, then take only what is buffered already.
    for (int i = 0; i < kMaxFramesPerPoll && (i == 0 || conn_.Buffered()); ++i) {
      if (received_.size() >= kMaxBatch && !in_message_) break;
      amqp_frame_t frame;
      const int rc = conn_.NextFrame(frame, i == 0 ? max_wait : std::chrono::nanoseconds(0));
      if (rc == AMQP_STATUS_TIMEOUT) return Status::Ok();
      if (rc != AMQP_STATUS_OK) return conn_.CheckCode(rc, "reading deliveries");
      BAKEOFF_RETURN_IF_ERROR(HandleFrame(frame));
    }
    return Status::Ok();
  }

  Status HandleFrame(const amqp_frame_t& frame) {
    switch (frame.frame_type) {
      case AMQP_FRAME_METHOD:
        return HandleMethod(frame);
      case AMQP_FRAME_HEADER:
        if (!in_message_) return Status::Ok();
        body_left_ = frame.payload.properties.body_size;
        body_start_ = arena_.size();
        if (body_left_ == 0) FinishMessage();
        return Status::Ok();
      case AMQP_FRAME_BODY: {
        if (!in_message_) return Status::Ok();
        const amqp_bytes_t& part = frame.payload.body_fragment;
        const auto* bytes = static_cast<const std::byte*>(part.bytes);
        arena_.insert(arena_.end(), bytes, bytes + part.len);
        body_left_ -= std::min<uint64_t>(body_left_, part.len);
        if (body_left_ == 0) FinishMessage();
        return Status::Ok();
      }
      default:
        return Status::Ok();
    }
  }

  Status HandleMethod(const amqp_frame_t& frame) {
    const amqp_method_t& method = frame.payload.method;
    switch (method.id) {
      case AMQP_BASIC_DELIVER_METHOD: {
        const auto* d = static_cast<const amqp_basic_deliver_t*>(method.decoded);
        in_message_ = true;
        delivery_tag_ = d->delivery_tag;
        stream_ = StreamOfTag(d->consumer_tag);
        return Status::Ok();
      }
      case AMQP_BASIC_CANCEL_METHOD: {
        // The broker cancelled a consumer (queue deleted, node lost): no more deliveries from that queue.
        const auto* c = static_cast<const amqp_basic_cancel_t*>(method.decoded);
        cancelled_by_broker_ =
            Unavailable("rabbitmq: the broker cancelled consumer " +
                        std::string(static_cast<const char*>(c->consumer_tag.bytes), c->consumer_tag.len));
        return Status::Ok();
      }
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD:
        return conn_.Fail(conn_.OnBrokerClose(frame));
      default:
        return Status::Ok();
    }
  }

  uint32_t StreamOfTag(amqp_bytes_t tag) const {
    const size_t prefix = sizeof(kTagPrefix) - 1;
    size_t index = 0;
    for (size_t i = prefix; i < tag.len; ++i)
      index = index * 10 + (static_cast<const char*>(tag.bytes)[i] - '0');
    return index < streams_.size() ? streams_[index] : UINT32_MAX;
  }

  void FinishMessage() {
    in_message_ = false;
    last_delivered_tag_ = delivery_tag_;
    received_.push_back({stream_, body_start_, arena_.size() - body_start_});
  }

  // Hands the complete messages to the sink; a message still being read stays in the arena.
  void Deliver(ReceiveSink& sink) {
    batch_.clear();
    for (const Received& r : received_) {
      batch_.push_back({r.stream, std::span<const std::byte>(arena_.data() + r.offset, r.bytes)});
    }
    const size_t delivered_end = received_.back().offset + received_.back().bytes;
    received_.clear();
    sink.OnReceived(batch_);
    batch_.clear();
    arena_.erase(arena_.begin(), arena_.begin() + static_cast<std::ptrdiff_t>(delivered_end));
    body_start_ -= std::min(body_start_, delivered_end);
  }

  void MaybeAck() {
    if (last_delivered_tag_ <= last_acked_tag_) return;
    if (first_unacked_ns_ == 0) first_unacked_ns_ = MonotonicNowNs();
    if (last_delivered_tag_ - last_acked_tag_ >= static_cast<uint64_t>(config_.ack_batch) ||
        MonotonicNowNs() - first_unacked_ns_ >= config_.ack_interval.count()) {
      AckDelivered();
    }
  }

  // Acks every delivery up to the last complete one; deferred while the socket is full (multiple=true
  // makes a later ack cover it).
  void AckDelivered() {
    if (last_delivered_tag_ <= last_acked_tag_ || conn_.broken() || !conn_.ReadyToSend(64)) return;
    const int rc =
        amqp_basic_ack(conn_.state(), AmqpConnection::kChannel, last_delivered_tag_, /*multiple=*/1);
    if (rc == AMQP_STATUS_OK) {
      last_acked_tag_ = last_delivered_tag_;
      first_unacked_ns_ = 0;
    } else {
      (void)conn_.CheckCode(rc, "basic.ack");
    }
  }

  const RabbitMqConfig config_;
  AmqpConnection conn_;
  std::vector<uint32_t> streams_;
  std::vector<std::string> queues_;
  struct Received {
    uint32_t stream;
    size_t offset;  // in arena_ (which may grow while a batch is read, so no pointers yet)
    size_t bytes;
  };
  std::vector<std::byte> arena_;
  std::vector<Received> received_;
  std::vector<InMessage> batch_;
  bool in_message_ = false;
  uint64_t delivery_tag_ = 0;
  uint32_t stream_ = 0;
  uint64_t body_left_ = 0;
  size_t body_start_ = 0;
  uint64_t last_delivered_tag_ = 0;
  uint64_t last_acked_tag_ = 0;
  int64_t first_unacked_ns_ = 0;  // when the oldest unacked delivery was handed to the sink
  Status cancelled_by_broker_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewRabbitMqConsumer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      const ConsumerSpec& spec, const std::string& name) {
  if (layout.topics.empty()) return InvalidArgument("rabbitmq: create topics before consumers");
  if (!spec.valid()) return InvalidArgument("rabbitmq: consumer outside the run's subscriptions");
  auto consumer = std::make_unique<RabbitMqConsumer>(config, layout, spec);
  // Spread over the nodes by the consumer's place among all of them.
  BAKEOFF_RETURN_IF_ERROR(consumer->Open(spec.subscription * spec.count + spec.index, name));
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace bakeoff
