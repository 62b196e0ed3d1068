// The kafka producer: rd_kafka_producev with an explicit partition, completions via the delivery-report
// callback, which runs inside rd_kafka_poll()/rd_kafka_flush() on the producer's own thread.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drivers/kafka/kafka_clients.h"
#include "measure/message_header.h"

namespace bakeoff {
namespace {

class KafkaProducer final : public Producer {
 public:
  KafkaProducer(CompletionSink& sink, int partitions, ClientEventSink* events)
      : sink_(sink), partitions_(partitions), events_(events) {
    acked_.reserve(64 * 1024);
  }

  ~KafkaProducer() override {
    // Whatever is still queued is dropped without reporting: the sink may already be gone.
    closing_ = true;
    if (rk_ == nullptr) return;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
    for (rd_kafka_topic_t* rkt : topics_) rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk_);
  }

  Status Open(const KafkaProperties& properties, const TopicLayout& layout) {
    Result<rd_kafka_t*> rk = NewKafkaHandle(properties, RD_KAFKA_PRODUCER, [this](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::OnDelivery);
      rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* reason, void* opaque) {
        auto* self = static_cast<KafkaProducer*>(opaque);
        ReportKafkaError(rk, err, reason, self->closing_ ? nullptr : self->events_);
      });
      rd_kafka_conf_set_opaque(conf, this);
    });
    if (!rk.ok()) return rk.status();
    rk_ = *rk;
    for (const std::string& name : layout.topics) {
      rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
      if (rkt == nullptr) return KafkaErrorStatus(rd_kafka_last_error(), "kafka: topic " + name);
      topics_.push_back(rkt);
    }
    return Status::Ok();
  }

  Status Send(const OutMessage& message) override {
    const uint32_t topic_index = message.stream / static_cast<uint32_t>(partitions_);
    if (topic_index >= topics_.size()) {
      return InvalidArgument("kafka: stream " + std::to_string(message.stream) + " outside the topic layout");
    }
    const auto partition = static_cast<int32_t>(message.stream % static_cast<uint32_t>(partitions_));
    // The stream travels as the message opaque; everything else of the ticket is in the payload header.
    // NOLINTNEXTLINE(performance-no-int-to-ptr): an integer carried through librdkafka's opaque
    void* opaque = reinterpret_cast<void*>(static_cast<uintptr_t>(message.stream));
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(topics_[topic_index]), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<std::byte*>(message.payload.data()), message.payload.size()),
        RD_KAFKA_V_KEY(message.key.empty() ? nullptr : message.key.data(), message.key.size()),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      rd_kafka_fatal_error(rk_, reason, sizeof(reason));
      return Internal(std::string("kafka: producer failed fatally: ") + reason);
    }
    return KafkaErrorStatus(err, "kafka: send");
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    rd_kafka_poll(rk_, KafkaTimeoutMs(max_wait));
    ReportCompletions();
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    rd_kafka_resp_err_t err = rd_kafka_flush(rk_, KafkaTimeoutMs(timeout));
    ReportCompletions();
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return Timeout("kafka: " + std::to_string(rd_kafka_outq_len(rk_)) +
                     " messages/requests still in flight when the flush timed out");
    }
    if (callback_failed_) return Internal("kafka: out of memory while recording delivery reports");
    return KafkaErrorStatus(err, "kafka: flush");
  }

 private:
  // C callback: must not throw. Only records; the sink is called after rd_kafka_poll() returns.
  static void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    try {
      self->RecordDelivery(*m);
    } catch (...) {
      self->callback_failed_ = true;
    }
  }

  void RecordDelivery(const rd_kafka_message_t& m) {
    if (closing_) return;
    SendTicket ticket;
    ticket.stream = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(m._private));
    std::optional<MessageHeader> header =
        DecodeHeader(std::span<const std::byte>(static_cast<const std::byte*>(m.payload), m.len));
    if (!header) {
      failed_.emplace_back(ticket, Internal("kafka: delivered payload has no bakeoff header"));
      return;
    }
    ticket.producer_id = header->producer_id;
    ticket.seq = header->seq;
    ticket.intended_ns = header->intended_ns;
    ticket.sent_ns = header->sent_ns;
    if (m.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      acked_.push_back(ticket);
    } else {
      failed_.emplace_back(ticket, KafkaErrorStatus(m.err, "kafka: delivery"));
    }
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

  CompletionSink& sink_;
  const int partitions_;
  ClientEventSink* const events_;
  rd_kafka_t* rk_ = nullptr;
  std::vector<rd_kafka_topic_t*> topics_;
  std::vector<SendTicket> acked_;
  std::vector<std::pair<SendTicket, Status>> failed_;
  bool closing_ = false;
  bool callback_failed_ = false;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewKafkaProducer(const KafkaProperties& properties,
                                                   const TopicLayout& layout, CompletionSink& sink,
                                                   ClientEventSink* events) {
  if (layout.topics.empty() || layout.partitions < 1) {
    return InvalidArgument("kafka: create topics before producers");
  }
  auto producer = std::make_unique<KafkaProducer>(sink, layout.partitions, events);
  BAKEOFF_RETURN_IF_ERROR(producer->Open(properties, layout));
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace bakeoff
