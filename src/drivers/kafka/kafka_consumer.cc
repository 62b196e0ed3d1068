// The kafka consumer: one member of the run's consumer group. Poll() waits for the first message with
// rd_kafka_consumer_poll() (which returns as soon as one is there) and then drains what is already
// queued with rd_kafka_consume_batch_queue() without waiting, so batches cost no latency.
//
// Close() leaves the group asynchronously (rd_kafka_consumer_close_queue) and gives up after
// kCloseTimeout: with the cluster gone, rd_kafka_consumer_close() would wait for the group session to
// time out (45 s by default), far beyond the run's deadline; the handle is then destroyed in the
// background.
#include <array>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/kafka/kafka_clients.h"

namespace bakeoff {
namespace {

constexpr size_t kMaxBatch = 4096;
constexpr auto kCloseTimeout = std::chrono::seconds(3);

class KafkaConsumer final : public Consumer {
 public:
  KafkaConsumer(const TopicLayout& layout, int count, bool range_strategy, ClientEventSink* events)
      : topics_(layout.topics), partitions_(layout.partitions), events_(events) {
    // Whether the group may legitimately leave this member without partitions.
    const int distributable = range_strategy ? partitions_ : partitions_ * static_cast<int>(topics_.size());
    may_stay_idle_ = count > distributable;
    in_.reserve(kMaxBatch);
  }

  ~KafkaConsumer() override { (void)Close(); }

  Status Open(const KafkaProperties& properties) {
    Result<rd_kafka_t*> rk = NewKafkaHandle(properties, RD_KAFKA_CONSUMER, [this](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::OnRebalance);
      rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t* rk, int err, const char* reason, void* opaque) {
        auto* self = static_cast<KafkaConsumer*>(opaque);
        ReportKafkaError(rk, err, reason, self->closed_ ? nullptr : self->events_);
      });
      rd_kafka_conf_set_opaque(conf, this);
    });
    if (!rk.ok()) return rk.status();
    rk_ = *rk;
    rd_kafka_poll_set_consumer(rk_);
    queue_ = rd_kafka_queue_get_consumer(rk_);
    rd_kafka_topic_partition_list_t* subscription =
        rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size()));
    for (const std::string& topic : topics_) {
      rd_kafka_topic_partition_list_add(subscription, topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, subscription);
    rd_kafka_topic_partition_list_destroy(subscription);
    return KafkaErrorStatus(err, "kafka: subscribe");
  }

  bool Ready() override { return ready_; }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (closed_) return Cancelled("kafka: consumer is closed");
    rd_kafka_message_t* first = rd_kafka_consumer_poll(rk_, KafkaTimeoutMs(max_wait));
    if (first == nullptr) return Status::Ok();
    batch_[0] = first;
    size_t count = 1;
    ssize_t more = rd_kafka_consume_batch_queue(queue_, 0, batch_.data() + 1, batch_.size() - 1);
    if (more > 0) count += static_cast<size_t>(more);
    return Deliver(count, sink);
  }

  Status Close() override {
    if (closed_ || rk_ == nullptr) {
      closed_ = true;
      return Status::Ok();
    }
    closed_ = true;
    const bool left = LeaveGroup();
    rd_kafka_queue_destroy(queue_);
    if (left) {
      rd_kafka_destroy(rk_);
    } else {
      // Not left in time (the coordinator is gone): librdkafka's destroy still waits for the group
      // session to time out, so it finishes in the background; no callback into this object runs there.
      std::thread([rk = rk_] { rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE); }).detach();
    }
    queue_ = nullptr;
    rk_ = nullptr;
    return left ? Status::Ok() : Timeout("kafka: consumer close: the group was not left within 3 s");
  }

 private:
  // Hands messages 0..count-1 of batch_ to the sink and destroys them, also when the sink throws.
  Status Deliver(size_t count, ReceiveSink& sink) {
    struct DestroyAll {
      std::array<rd_kafka_message_t*, kMaxBatch>& batch;
      size_t count;
      ~DestroyAll() {
        for (size_t i = 0; i < count; ++i) rd_kafka_message_destroy(batch[i]);
      }
    } guard{batch_, count};
    Status status;
    in_.clear();
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_message_t* m = batch_[i];
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // Transient errors (broker down, topic not yet known) are retried by librdkafka itself.
        if (m->err == RD_KAFKA_RESP_ERR__FATAL) status = KafkaErrorStatus(m->err, "kafka: consumer");
        continue;
      }
      const int topic_index = TopicIndex(m->rkt);
      if (topic_index < 0 || m->partition < 0 || m->partition >= partitions_) continue;
      InMessage in;
      in.stream = static_cast<uint32_t>(topic_index * partitions_ + m->partition);
      in.payload = std::span<const std::byte>(static_cast<const std::byte*>(m->payload), m->len);
      in_.push_back(in);
    }
    if (!in_.empty()) sink.OnReceived(in_);
    return status;
  }

  // Commits and leaves the group, serving the final revocation on a queue of its own; true once closed.
  bool LeaveGroup() {
    rd_kafka_queue_t* events = rd_kafka_queue_new(rk_);
    bool closed = false;
    if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk_, events)) {
      rd_kafka_error_destroy(error);
    } else {
      const auto deadline = std::chrono::steady_clock::now() + kCloseTimeout;
      while (!(closed = rd_kafka_consumer_closed(rk_)) && std::chrono::steady_clock::now() < deadline) {
        rd_kafka_event_t* event = rd_kafka_queue_poll(events, 100);
        if (event == nullptr) continue;
        if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) {
          OnRebalance(rk_, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event), this);
        }
        rd_kafka_event_destroy(event);
      }
    }
    rd_kafka_queue_destroy(events);
    return closed;
  }

  int TopicIndex(rd_kafka_topic_t* rkt) {
    for (const auto& [known, index] : topic_cache_) {
      if (known == rkt) return index;
    }
    const char* name = rd_kafka_topic_name(rkt);
    for (size_t i = 0; i < topics_.size(); ++i) {
      if (std::strcmp(topics_[i].c_str(), name) == 0) {
        topic_cache_.emplace_back(rkt, static_cast<int>(i));
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  // C callback, served inside rd_kafka_consumer_poll() on the consumer's thread: must not throw.
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    auto* self = static_cast<KafkaConsumer*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    ReportKafkaRebalance(rk, err, parts, cooperative, self->closed_ ? nullptr : self->events_);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
        self->assigned_ += parts->cnt;
      } else {
        rd_kafka_assign(rk, parts);
        self->assigned_ = parts->cnt;
      }
      if (self->assigned_ > 0 || self->may_stay_idle_) self->ready_ = true;
    } else {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
        self->assigned_ -= parts->cnt;
      } else {
        rd_kafka_assign(rk, nullptr);
        self->assigned_ = 0;
      }
    }
  }

  const std::vector<std::string> topics_;
  const int partitions_;
  ClientEventSink* const events_;
  bool may_stay_idle_ = false;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  int assigned_ = 0;
  bool ready_ = false;  // sticky: a later rebalance does not make the consumer "not ready" again
  bool closed_ = false;
  std::array<rd_kafka_message_t*, kMaxBatch> batch_{};
  std::vector<InMessage> in_;
  std::vector<std::pair<rd_kafka_topic_t*, int>> topic_cache_;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewKafkaConsumer(const KafkaProperties& properties,
                                                   const TopicLayout& layout, int index, int count,
                                                   ClientEventSink* events) {
  if (layout.topics.empty() || layout.partitions < 1) {
    return InvalidArgument("kafka: create topics before consumers");
  }
  if (index < 0 || index >= count) return InvalidArgument("kafka: consumer index out of range");
  bool range = false;
  for (const KafkaProperty& p : properties) {
    if (p.key == "partition.assignment.strategy") range = p.value.find("range") != std::string::npos;
  }
  auto consumer = std::make_unique<KafkaConsumer>(layout, count, range, events);
  BAKEOFF_RETURN_IF_ERROR(consumer->Open(properties));
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace bakeoff
