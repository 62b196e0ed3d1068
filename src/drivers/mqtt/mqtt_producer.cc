// The mqtt producer. Completion means: QoS 0 — the PUBLISH packet was written to the socket (libmosquitto's
// on_publish for QoS 0; nothing confirms it); QoS 1 — PUBACK; QoS 2 — PUBCOMP. Message ids (16 bit) map
// back to tickets through a table indexed by mid; `max_queued_messages` < 65535 bounds what is open, so a
// mid is never reused while its message is still open. A lost connection fails every open message and the
// client is replaced (at most twice a second), so nothing the old client queued is sent later.
#include <algorithm>
#include <exception>
#include <thread>

#include "drivers/mqtt/mqtt_clients.h"
#include "measure/clock.h"

namespace bakeoff::mqtt {
namespace {

constexpr int64_t kReconnectEveryNs = 500'000'000;
constexpr size_t kAckBatch = 256;
constexpr size_t kMids = 65536;

class MqttProducer final : public Producer {
 public:
  MqttProducer(const ClientConfig& config, ProducerSettings settings, CompletionSink& sink)
      : config_(config), settings_(std::move(settings)), sink_(sink), tickets_(kMids), open_(kMids, false) {
    acked_.reserve(kAckBatch);
  }

  ~MqttProducer() override {
    // Whatever is still open is dropped without reporting: the sink may already be gone.
    client_.reset();
  }

  Status Open() {
    client_ = std::make_unique<Client>(config_, settings_.client_id, config_.clean_session, this);
    mosquitto_publish_callback_set(client_->handle(), &MqttProducer::OnPublish);
    Status st = client_->Connect();
    if (!st.ok()) client_.reset();
    return st;
  }

  Status Send(const OutMessage& m) override {
    try {
      if (m.stream >= settings_.topics.size()) return InvalidArgument("mqtt: stream outside the layout");
      if (client_ == nullptr || !client_->connected()) BAKEOFF_RETURN_IF_ERROR(Reconnect());
      if (open_count_ >= settings_.max_queued_messages) {
        Serve(std::chrono::nanoseconds(0));
        if (client_ == nullptr) return last_error_;  // the connection died while serving
        if (open_count_ >= settings_.max_queued_messages) return QueueFull("mqtt: max_queued_messages open");
      }
      sending_ = true;
      sending_done_ = false;
      const int rc =
          mosquitto_publish(client_->handle(), &sending_mid_, settings_.topics[m.stream].c_str(),
                            static_cast<int>(m.payload.size()), m.payload.data(), config_.qos, false);
      sending_ = false;
      if (rc != MOSQ_ERR_SUCCESS) {
        Status why = MosquittoError(rc, "publish");
        if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO) FailAll(why);
        return why;
      }
      if (sending_done_) {
        acked_.push_back(m.ticket);  // QoS 0, written at once
      } else {
        const auto mid = static_cast<uint16_t>(sending_mid_);
        tickets_[mid] = m.ticket;
        open_[mid] = true;
        ++open_count_;
      }
      if (acked_.size() >= kAckBatch) DeliverAcks();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Internal(std::string("mqtt: send: ") + e.what());
    }
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    try {
      if (client_ == nullptr || !client_->connected()) {
        if (!Reconnect().ok()) {
          std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(1'000'000)));
          return;
        }
      }
      // Nothing open: nothing to wait for but keep-alives.
      Serve(open_count_ == 0 ? std::chrono::nanoseconds(0) : max_wait);
      if (open_count_ == 0 && max_wait.count() > 0) {
        std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(1'000'000)));
      }
    } catch (const std::exception&) {
      // Nothing may leave the driver.
    }
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    const int64_t deadline = MonotonicNowNs() + timeout.count();
    while (open_count_ > 0 && client_ != nullptr && client_->connected()) {
      const int64_t left = deadline - MonotonicNowNs();
      if (left <= 0) return Timeout("mqtt: " + std::to_string(open_count_) + " publishes still open");
      Serve(std::chrono::nanoseconds(std::min<int64_t>(left, 20'000'000)));
    }
    DeliverAcks();
    return Status::Ok();
  }

 private:
  void Serve(std::chrono::nanoseconds max_wait) {
    Status st = client_->Loop(max_wait);
    if (!st.ok()) FailAll(st);
    DeliverAcks();
  }

  static void OnPublish(struct mosquitto*, void* userdata, int mid) {
    auto* self = static_cast<MqttProducer*>(Client::OwnerOf(userdata));
    const auto slot = static_cast<uint16_t>(mid);
    if (self->open_[slot]) {
      self->open_[slot] = false;
      --self->open_count_;
      self->acked_.push_back(self->tickets_[slot]);
    } else if (self->sending_ && mid == self->sending_mid_) {
      self->sending_done_ = true;
    }
  }

  void DeliverAcks() {
    if (acked_.empty()) return;
    sink_.OnAcked(acked_);
    acked_.clear();
  }

  void FailAll(const Status& why) {
    DeliverAcks();
    for (size_t mid = 0; mid < kMids && open_count_ > 0; ++mid) {
      if (!open_[mid]) continue;
      open_[mid] = false;
      --open_count_;
      sink_.OnFailed(tickets_[mid], why);
    }
    client_.reset();
    next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
    last_error_ = why;
  }

  Status Reconnect() {
    if (client_ != nullptr && !client_->connected()) FailAll(Unavailable("mqtt: connection lost"));
    if (MonotonicNowNs() < next_reconnect_ns_) return last_error_;
    Status st = Open();
    if (!st.ok()) {
      next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
      last_error_ = st;
    }
    return st;
  }

  ClientConfig config_;
  ProducerSettings settings_;
  CompletionSink& sink_;
  std::unique_ptr<Client> client_;
  std::vector<SendTicket> tickets_;  // by mid
  std::vector<bool> open_;           // by mid
  size_t open_count_ = 0;
  std::vector<SendTicket> acked_;
  bool sending_ = false;       // inside mosquitto_publish
  bool sending_done_ = false;  // ...and its packet was written before it returned
  int sending_mid_ = -1;
  int64_t next_reconnect_ns_ = 0;
  Status last_error_;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewProducer(const ClientConfig& config, ProducerSettings settings,
                                              CompletionSink& sink) {
  settings.max_queued_messages = std::clamp<size_t>(settings.max_queued_messages, 1, 60'000);
  auto producer = std::make_unique<MqttProducer>(config, std::move(settings), sink);
  BAKEOFF_RETURN_IF_ERROR(producer->Open());
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace bakeoff::mqtt
