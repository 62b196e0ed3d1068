// The mqtt consumer: one client subscribed (at the configured QoS) to the topics of its streams. The
// library's on_message copies each message into an arena; Poll() hands the arena to the sink as one batch.
// Ready once every SUBACK arrived. A lost connection is an error of that Poll(); the next Poll() after a
// short pause connects again and subscribes again (a persistent session then gets what it missed).
#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>
#include <unordered_map>

#include "drivers/mqtt/mqtt_clients.h"
#include "measure/clock.h"

namespace bakeoff::mqtt {
namespace {

constexpr int64_t kReconnectEveryNs = 500'000'000;
constexpr size_t kMaxBatch = 4096;
constexpr int kMaxLoopsPerPoll = 256;

class MqttConsumer final : public Consumer {
 public:
  MqttConsumer(const ClientConfig& config, ConsumerSettings settings)
      : config_(config), settings_(std::move(settings)) {
    for (uint32_t s : settings_.streams) stream_of_topic_[settings_.topics[s]] = s;
  }

  Status Open() {
    client_ = std::make_unique<Client>(config_, settings_.client_id, config_.clean_session, this);
    mosquitto_message_callback_set(client_->handle(), &MqttConsumer::OnMessage);
    mosquitto_subscribe_callback_set(client_->handle(), &MqttConsumer::OnSubscribe);
    subacks_ = 0;
    Status st = client_->Connect();
    for (size_t i = 0; st.ok() && i < settings_.streams.size(); ++i) {
      const int rc = mosquitto_subscribe(client_->handle(), nullptr,
                                         settings_.topics[settings_.streams[i]].c_str(), config_.qos);
      if (rc != MOSQ_ERR_SUCCESS) st = MosquittoError(rc, "subscribe");
    }
    if (!st.ok()) client_.reset();
    return st;
  }

  bool Ready() override { return settings_.streams.empty() || subscribed_once_; }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    try {
      if (settings_.streams.empty() || closed_) {
        std::this_thread::sleep_for(max_wait);
        return Status::Ok();
      }
      if (client_ == nullptr || !client_->connected()) {
        client_.reset();
        if (MonotonicNowNs() < next_reconnect_ns_) {
          std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(1'000'000)));
          return last_error_;
        }
        Status st = Open();
        if (!st.ok()) return Disconnected(st);
      }
      arena_.clear();
      entries_.clear();
      Status st = client_->Loop(max_wait);
      // Keep reading what is already there, up to a batch.
      for (int i = 0; st.ok() && i < kMaxLoopsPerPoll && entries_.size() < kMaxBatch; ++i) {
        const size_t before = entries_.size();
        st = client_->Loop(std::chrono::nanoseconds(0));
        if (entries_.size() == before) break;
      }
      Deliver(sink);
      if (!st.ok()) return Disconnected(st);
      return Status::Ok();
    } catch (const std::exception& e) {
      return Internal(std::string("mqtt: consumer poll: ") + e.what());
    }
  }

  Status Close() override {
    closed_ = true;
    client_.reset();  // sends DISCONNECT
    return Status::Ok();
  }

 private:
  struct Entry {
    uint32_t stream;
    size_t offset;
    size_t size;
  };

  Status Disconnected(const Status& why) {
    client_.reset();
    next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
    last_error_ = why;
    return why;
  }

  void Deliver(ReceiveSink& sink) {
    if (entries_.empty()) return;
    batch_.clear();
    for (const Entry& e : entries_) {
      batch_.push_back({e.stream, std::span<const std::byte>(arena_.data() + e.offset, e.size)});
    }
    sink.OnReceived(batch_);
  }

  static void OnMessage(struct mosquitto*, void* userdata, const struct mosquitto_message* message) {
    auto* self = static_cast<MqttConsumer*>(Client::OwnerOf(userdata));
    try {
      auto it = self->stream_of_topic_.find(message->topic);
      if (it == self->stream_of_topic_.end() || message->payloadlen < 0) return;
      const size_t size = static_cast<size_t>(message->payloadlen);
      const size_t offset = self->arena_.size();
      self->arena_.resize(offset + size);
      std::memcpy(self->arena_.data() + offset, message->payload, size);
      self->entries_.push_back({it->second, offset, size});
    } catch (const std::exception&) {
      // Out of memory: the message counts as lost, which is what it is.
    }
  }

  static void OnSubscribe(struct mosquitto*, void* userdata, int, int, const int*) {
    auto* self = static_cast<MqttConsumer*>(Client::OwnerOf(userdata));
    if (++self->subacks_ >= self->settings_.streams.size()) self->subscribed_once_ = true;
  }

  ClientConfig config_;
  ConsumerSettings settings_;
  std::unordered_map<std::string, uint32_t> stream_of_topic_;
  std::unique_ptr<Client> client_;
  std::vector<std::byte> arena_;
  std::vector<Entry> entries_;
  std::vector<InMessage> batch_;
  size_t subacks_ = 0;
  bool subscribed_once_ = false;
  bool closed_ = false;
  int64_t next_reconnect_ns_ = 0;
  Status last_error_;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewConsumer(const ClientConfig& config, ConsumerSettings settings) {
  auto consumer = std::make_unique<MqttConsumer>(config, std::move(settings));
  BAKEOFF_RETURN_IF_ERROR(consumer->Open());
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace bakeoff::mqtt
