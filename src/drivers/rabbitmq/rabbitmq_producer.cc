// The rabbitmq producer: basic.publish on its own connection, publisher confirms read in Poll().
//
// With confirms, delivery tag n is the n-th publish on the channel (confirm.select was the channel's
// first method). Acks arrive per queue, so single acks may come out of order; `multiple` acks cover every
// tag up to theirs. Pending publishes sit in a deque indexed by tag - first_tag_; completed ones are
// popped from the front. A mandatory publish no queue took comes back as basic.return (carrying our
// header, which identifies it) before its ack; that ack then reports a failure.
#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/rabbitmq/rabbitmq_clients.h"
#include "drivers/rabbitmq/rabbitmq_connection.h"
#include "measure/clock.h"
#include "measure/message_header.h"

namespace bakeoff {
namespace {

constexpr int kMaxFramesPerPoll = 8192;
constexpr size_t kReportBatch = 256;
constexpr std::chrono::nanoseconds kFullWindowWait = std::chrono::milliseconds(20);

class RabbitMqProducer final : public Producer {
 public:
  RabbitMqProducer(const RabbitMqConfig& config, const TopicLayout& layout, bool fanout, CompletionSink& sink)
      : config_(config), fanout_(fanout), sink_(sink) {
    const uint32_t streams = static_cast<uint32_t>(layout.topics.size() * std::max(1, layout.partitions));
    for (uint32_t s = 0; s < streams; ++s) queues_.push_back(RabbitQueueName(layout, s));
    properties_._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    properties_.delivery_mode = config.persistent ? 2 : 1;
    acked_.reserve(kReportBatch * 4);
  }

  // Pending publishes are dropped unreported: the sink may be gone already.
  ~RabbitMqProducer() override { conn_.Close(); }

  Status Open(int index, const std::string& name) {
    BAKEOFF_RETURN_IF_ERROR(conn_.Open(config_, config_.first_node_for(index), name));
    if (config_.publisher_confirms) {
      amqp_confirm_select(conn_.state(), AmqpConnection::kChannel);
      BAKEOFF_RETURN_IF_ERROR(conn_.CheckReply("confirm.select"));
    }
    return Status::Ok();
  }

  Status Send(const OutMessage& message) override {
    if (conn_.broken()) return conn_.failure();
    if (message.stream >= queues_.size()) return InvalidArgument("rabbitmq: stream outside the topic layout");
    if (config_.publisher_confirms && outstanding_ >= static_cast<uint64_t>(config_.confirm_window)) {
      return QueueFull("rabbitmq: confirm window full");
    }
    if (blocked_by_broker_ ||
        !conn_.ReadyToSend(message.payload.size() + queues_[message.stream].size() + 64)) {
      const int64_t now = MonotonicNowNs();
      if (stalled_since_ns_ == 0) stalled_since_ns_ = now;
      if (now - stalled_since_ns_ > config_.send_timeout.count()) {
        FailAll(conn_.Fail(Timeout("rabbitmq: " + conn_.address() + ": the broker took no data for " +
                                   std::to_string(config_.send_timeout.count() / 1'000'000) + " ms" +
                                   (blocked_by_broker_ ? " (connection.blocked: resource alarm)" : ""))));
        return conn_.failure();
      }
      return QueueFull("rabbitmq: socket send buffer full");
    }
    stalled_since_ns_ = 0;
    const amqp_bytes_t body{message.payload.size(), const_cast<std::byte*>(message.payload.data())};
    // With fan-out the stream's exchange has its name; the routing key (ignored by fanout) stays the same,
    // so a basic.return names the stream either way.
    const amqp_bytes_t exchange = fanout_ ? AmqpBytes(queues_[message.stream]) : amqp_empty_bytes;
    const int rc = amqp_basic_publish(conn_.state(), AmqpConnection::kChannel, exchange,
                                      AmqpBytes(queues_[message.stream]), config_.mandatory ? 1 : 0, 0,
                                      &properties_, body);
    if (rc != AMQP_STATUS_OK) {
      Status st = conn_.CheckCode(rc, "basic.publish");
      if (conn_.broken()) FailAll(conn_.failure());
      return st;
    }
    if (config_.publisher_confirms) {
      pending_.push_back({message.ticket, false, false});
      ++outstanding_;
    } else {
      acked_.push_back(message.ticket);
      if (acked_.size() >= kReportBatch) ReportCompletions();
    }
    return Status::Ok();
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    ReportCompletions();
    if (conn_.broken()) {
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(10'000'000)));
      return;
    }
    // With the confirm window full nothing can be sent before a confirm arrives: wait for it rather than
    // for the runner's short back-off, whose expiring timer (a VM exit per expiry here) would otherwise
    // fire every 100 us while the broker works. A frame still ends the wait at once.
    if (max_wait.count() > 0 && config_.publisher_confirms &&
        outstanding_ >= static_cast<uint64_t>(config_.confirm_window)) {
      max_wait = std::max(max_wait, kFullWindowWait);
    }
    // Wait for the first frame, then take only what is buffered already.
    for (int i = 0; i < kMaxFramesPerPoll && (i == 0 || conn_.Buffered()); ++i) {
      amqp_frame_t frame;
      const int rc = conn_.NextFrame(frame, i == 0 ? max_wait : std::chrono::nanoseconds(0));
      if (rc == AMQP_STATUS_TIMEOUT) break;
      if (rc != AMQP_STATUS_OK) {
        (void)conn_.CheckCode(rc, "reading confirms");
        if (conn_.broken()) FailAll(conn_.failure());
        break;
      }
      HandleFrame(frame);
      if (conn_.broken()) break;
    }
    amqp_maybe_release_buffers(conn_.state());
    ReportCompletions();
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    const int64_t deadline = MonotonicNowNs() + timeout.count();
    while (outstanding_ > 0 && !conn_.broken()) {
      const int64_t left = deadline - MonotonicNowNs();
      if (left <= 0) break;
      Poll(std::chrono::nanoseconds(std::min<int64_t>(left, 50'000'000)));
    }
    ReportCompletions();
    if (conn_.broken()) return conn_.failure();
    if (outstanding_ > 0) {
      return Timeout("rabbitmq: " + std::to_string(outstanding_) +
                     " publishes still unconfirmed at the flush "
                     "deadline");
    }
    return Status::Ok();
  }

 private:
  struct Pending {
    SendTicket ticket;
    bool done;
    bool returned;  // came back unroutable; its ack reports a failure
  };

  void HandleFrame(const amqp_frame_t& frame) {
    if (frame.frame_type == AMQP_FRAME_HEADER && returning_) {
      return_left_ = frame.payload.properties.body_size;
      return_body_.clear();
      if (return_left_ == 0) FinishReturn();
      return;
    }
    if (frame.frame_type == AMQP_FRAME_BODY && returning_) {
      const amqp_bytes_t& part = frame.payload.body_fragment;
      const size_t keep = std::min(part.len, kHeaderBytes - std::min(kHeaderBytes, return_body_.size()));
      return_body_.insert(return_body_.end(), static_cast<const std::byte*>(part.bytes),
                          static_cast<const std::byte*>(part.bytes) + keep);
      return_left_ -= std::min<uint64_t>(return_left_, part.len);
      if (return_left_ == 0) FinishReturn();
      return;
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) return;
    const amqp_method_t& method = frame.payload.method;
    switch (method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(method.decoded);
        Complete(ack->delivery_tag, ack->multiple != 0, /*nacked=*/false);
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<const amqp_basic_nack_t*>(method.decoded);
        Complete(nack->delivery_tag, nack->multiple != 0, /*nacked=*/true);
        break;
      }
      case AMQP_BASIC_RETURN_METHOD: {
        const auto* ret = static_cast<const amqp_basic_return_t*>(method.decoded);
        returning_ = true;
        return_reason_ = "rabbitmq: unroutable, returned by the broker: " + std::to_string(ret->reply_code) +
                         " " +
                         std::string(static_cast<const char*>(ret->reply_text.bytes), ret->reply_text.len);
        return_queue_.assign(static_cast<const char*>(ret->routing_key.bytes), ret->routing_key.len);
        break;
      }
      case AMQP_CONNECTION_BLOCKED_METHOD:
        blocked_by_broker_ = true;
        break;
      case AMQP_CONNECTION_UNBLOCKED_METHOD:
        blocked_by_broker_ = false;
        break;
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD:
        // Either way the confirm sequence is gone: nothing pending can be confirmed any more.
        FailAll(conn_.Fail(conn_.OnBrokerClose(frame)));
        break;
      default:
        break;
    }
  }

  void FinishReturn() {
    returning_ = false;
    const std::optional<MessageHeader> header = DecodeHeader(return_body_);
    if (!header) return;
    for (Pending& p : pending_) {
      if (!p.done && p.ticket.seq == header->seq && queues_[p.ticket.stream] == return_queue_) {
        p.returned = true;
        break;
      }
    }
  }

  void Complete(uint64_t tag, bool multiple, bool nacked) {
    if (pending_.empty() || tag < first_tag_) return;
    const uint64_t offset = tag - first_tag_;
    if (!multiple && offset >= pending_.size()) return;
    const uint64_t last = std::min<uint64_t>(offset, pending_.size() - 1);
    for (uint64_t i = multiple ? 0 : last; i <= last; ++i) {
      Pending& p = pending_[i];
      if (p.done) continue;
      p.done = true;
      --outstanding_;
      if (nacked) {
        failed_.emplace_back(p.ticket, Unavailable("rabbitmq: basic.nack from the broker"));
      } else if (p.returned) {
        failed_.emplace_back(p.ticket, Unavailable(return_reason_));
      } else {
        acked_.push_back(p.ticket);
      }
    }
    while (!pending_.empty() && pending_.front().done) {
      pending_.pop_front();
      ++first_tag_;
    }
  }

  void FailAll(const Status& why) {
    for (Pending& p : pending_) {
      if (!p.done) failed_.emplace_back(p.ticket, why);
    }
    first_tag_ += pending_.size();
    pending_.clear();
    outstanding_ = 0;
  }

  void ReportCompletions() {
    if (!acked_.empty()) {
      sink_.OnAcked(acked_);
      acked_.clear();
    }
    if (!failed_.empty()) {
      for (const auto& [ticket, why] : failed_) sink_.OnFailed(ticket, why);
      failed_.clear();
    }
  }

  const RabbitMqConfig config_;
  const bool fanout_;  // publish to the stream's fanout exchange (fan-out), not the default exchange
  CompletionSink& sink_;
  AmqpConnection conn_;
  std::vector<std::string> queues_;
  amqp_basic_properties_t properties_{};
  std::deque<Pending> pending_;
  uint64_t first_tag_ = 1;  // delivery tag of pending_.front()
  uint64_t outstanding_ = 0;
  std::vector<SendTicket> acked_;
  std::vector<std::pair<SendTicket, Status>> failed_;
  bool blocked_by_broker_ = false;
  int64_t stalled_since_ns_ = 0;
  bool returning_ = false;
  uint64_t return_left_ = 0;
  std::vector<std::byte> return_body_;
  std::string return_queue_;
  std::string return_reason_;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewRabbitMqProducer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      int index, bool fanout, const std::string& name,
                                                      CompletionSink& sink) {
  if (layout.topics.empty()) return InvalidArgument("rabbitmq: create topics before producers");
  auto producer = std::make_unique<RabbitMqProducer>(config, layout, fanout, sink);
  BAKEOFF_RETURN_IF_ERROR(producer->Open(index, name));
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace bakeoff
