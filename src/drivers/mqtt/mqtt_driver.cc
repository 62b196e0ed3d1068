// The mqtt driver: MQTT 3.1.1 brokers (mosquitto, EMQX, HiveMQ, ...) through libmosquitto. One topic per
// stream, "<topic>/<partition>"; consumer i of n subscribes to the streams s with s % n == i. Clients:
// mqtt_producer.cc and mqtt_consumer.cc; connection handling: mqtt_client.cc. This file holds the option
// schema, the session (topic names, persistent-session cleanup, facts) and the driver.
#include "drivers/mqtt/mqtt_driver.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "drivers/kit/backoff.h"
#include "drivers/mqtt/mqtt_clients.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

using mqtt::ClientConfig;

class MqttSession final : public Session {
 public:
  MqttSession(const SessionContext& context, mqtt::MqttSettings settings, ClientConfig config)
      : settings_(std::move(settings)), config_(std::move(config)), prefix_("bakeoff-" + context.run_id) {}

  ~MqttSession() override { (void)DeleteTopics(); }

  Status CreateTopics(const TopicLayout& layout) override {
    // MQTT topics exist by being used: nothing to create on the broker.
    topics_.clear();
    for (const std::string& topic : layout.topics) {
      for (int p = 0; p < layout.partitions; ++p) topics_.push_back(topic + "/" + std::to_string(p));
    }
    return Status::Ok();
  }

  Status DeleteTopics() override {
    // Persistent sessions outlive their clients: end each one with a clean-session connect.
    Status result;
    for (const std::string& id : persistent_sessions_) {
      try {
        mqtt::Client client(config_, id, /*clean_session=*/true, nullptr);
        Status st = client.Connect();
        if (!st.ok() && result.ok()) result = st;
      } catch (const std::exception& e) {
        if (result.ok()) result = Internal(std::string("mqtt: end session: ") + e.what());
      }
    }
    if (result.ok()) persistent_sessions_.clear();
    return result;
  }

  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    if (topics_.empty()) return Internal("mqtt: CreateTopics must come first");
    mqtt::ProducerSettings settings;
    settings.topics = topics_;
    settings.client_id = prefix_ + "-p" + std::to_string(index);
    settings.max_queued_messages = settings_.max_queued_messages;
    return drivers_kit::ConnectOrStatus("mqtt: new producer", [&]() -> Result<std::unique_ptr<Producer>> {
      return mqtt::NewProducer(config_, std::move(settings), sink);
    });
  }

  // Fan-out: each subscription's consumers are clients of their own, subscribed to their share of the
  // topics; the broker delivers every publish to every subscribed client. Within a subscription the
  // consumers split the topics, so no shared subscription ($share/...) is needed.
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (topics_.empty()) return Internal("mqtt: CreateTopics must come first");
    if (!spec.valid()) return InvalidArgument("mqtt: consumer outside the run's subscriptions");
    mqtt::ConsumerSettings settings;
    settings.topics = topics_;
    for (size_t s = static_cast<size_t>(spec.index); s < topics_.size();
         s += static_cast<size_t>(spec.count)) {
      settings.streams.push_back(static_cast<uint32_t>(s));
    }
    const std::string sub = spec.subscriptions == 1 ? "" : "-s" + std::to_string(spec.subscription);
    settings.client_id = prefix_ + sub + "-c" + std::to_string(spec.index);
    if (!config_.clean_session) persistent_sessions_.push_back(settings.client_id);
    return drivers_kit::ConnectOrStatus("mqtt: new consumer", [&]() -> Result<std::unique_ptr<Consumer>> {
      return mqtt::NewConsumer(config_, std::move(settings));
    });
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts = {
        {"client", mqtt::LibraryVersion()},
        {"protocol", "MQTT 3.1.1"},
        {"qos", std::to_string(config_.qos)},
        {"clean_session", config_.clean_session ? "true" : "false"},
        {"max_inflight_messages", std::to_string(config_.max_inflight_messages)},
    };
    facts["delivery_guarantee"] = config_.qos == 0 ? "at-most-once (QoS 0: not acked by the broker)"
                                  : config_.qos == 1
                                      ? "at-least-once (QoS 1: PUBACK from the broker)"
                                      : "exactly-once handshake (QoS 2: PUBCOMP from the broker)";
    const std::string version = BrokerVersion();
    if (!version.empty()) facts["server_version"] = version;
    return facts;
  }

 private:
  // mosquitto (and most brokers) publish their version as the retained $SYS/broker/version.
  std::string BrokerVersion() {
    struct Captured {
      std::string text;
    } captured;
    try {
      mqtt::Client client(config_, prefix_ + "-facts", true, &captured);
      if (!client.Connect().ok()) return "";
      mosquitto_message_callback_set(
          client.handle(), [](struct mosquitto*, void* userdata, const mosquitto_message* m) {
            auto* out = static_cast<Captured*>(mqtt::Client::OwnerOf(userdata));
            try {
              if (m->payloadlen > 0) out->text.assign(static_cast<const char*>(m->payload), m->payloadlen);
            } catch (...) {
              // No exception may cross the C callback; the fact is simply missing.
            }
          });
      if (mosquitto_subscribe(client.handle(), nullptr, "$SYS/broker/version", 0) != MOSQ_ERR_SUCCESS)
        return "";
      const int64_t deadline = MonotonicNowNs() + 1'000'000'000;
      while (captured.text.empty() && MonotonicNowNs() < deadline) {
        if (!client.Loop(std::chrono::milliseconds(20)).ok()) break;
      }
    } catch (const std::exception&) {
      return "";
    }
    return captured.text;
  }

  mqtt::MqttSettings settings_;
  ClientConfig config_;
  std::string prefix_;
  std::vector<std::string> topics_;               // per stream index
  std::vector<std::string> persistent_sessions_;  // consumer client ids to clean up
};

class MqttDriver final : public Driver {
 public:
  std::string name() const override { return "mqtt"; }
  std::string description() const override {
    return "MQTT 3.1.1 brokers (libmosquitto): topic per partition, QoS 0/1/2, clean or persistent sessions.";
  }
  const OptionSchema& schema() const override { return mqtt::MqttOptions().schema(); }
  const OptionBinding* option_binding() const override { return &mqtt::MqttOptions(); }
  Capabilities capabilities(const OptionValues& options) const override {
    Result<mqtt::MqttSettings> settings = mqtt::MqttOptions().Bind(options);
    // Options that do not bind fail at Connect; until then they read as the default QoS 1.
    const int qos = settings.ok() ? settings->qos : 1;
    // QoS 0 "acks" only mean the packet was written to the socket. MQTT orders each topic for a
    // publisher (3.1.1 section 4.6); durability across a broker restart depends on its persistence setting.
    return {.ordered_per_stream = true, .confirms_publish = qos > 0, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    return drivers_kit::ConnectOrStatus("mqtt: connect", [&]() -> Result<std::unique_ptr<Session>> {
      std::string endpoint;
      if (auto it = context.endpoints.find("url"); it != context.endpoints.end()) endpoint = it->second;
      Result<mqtt::MqttSettings> settings = mqtt::MqttOptions().Bind(context.system->options);
      if (!settings.ok()) return settings.status();
      Result<ClientConfig> config = mqtt::MakeClientConfig(*settings, endpoint);
      if (!config.ok()) return config.status();
      // Fail at connect time, not at the first producer, when the broker is unreachable.
      mqtt::Client probe(*config, "bakeoff-" + context.run_id + "-probe", true, nullptr);
      BAKEOFF_RETURN_IF_ERROR(probe.Connect());
      return std::unique_ptr<Session>(new MqttSession(context, std::move(settings).value(), *config));
    });
  }
};

}  // namespace

Driver* GetMqttDriver() {
  static MqttDriver driver;
  return &driver;
}

}  // namespace bakeoff
