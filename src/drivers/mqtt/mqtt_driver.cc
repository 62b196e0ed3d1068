// The mqtt driver: MQTT 3.1.1 brokers (mosquitto, EMQX, HiveMQ, ...) through libmosquitto. One topic per
// stream, "<topic>/<partition>"; consumer i of n subscribes to the streams s with s % n == i. Clients:
// mqtt_producer.cc and mqtt_consumer.cc; connection handling: mqtt_client.cc. This file holds the option
// schema, the session (topic names, persistent-session cleanup, facts) and the driver.
#include "drivers/mqtt/mqtt_driver.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "drivers/mqtt/mqtt_clients.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

using mqtt::ClientConfig;

OptionSchema MakeSchema() {
  OptionSchema s;
  s.options = {
      {.name = "url",
       .type = OptionType::kString,
       .optional = true,
       .help = "Broker, mqtt://host:port; overrides the environment's endpoint."},
      {.name = "username", .type = OptionType::kString, .optional = true, .help = "User name for CONNECT."},
      {.name = "password",
       .type = OptionType::kString,
       .optional = true,
       .help = "Password for CONNECT; use a reference such as \"${env:MQTT_PASSWORD}\".",
       .secret = true},
      {.name = "qos",
       .type = OptionType::kInt,
       .default_value = int64_t{1},
       .help = "QoS of publishes and subscriptions: 0 at most once (no confirmation, loss possible), "
               "1 at least once (PUBACK), 2 exactly once (PUBCOMP).",
       .min = 0,
       .max = 2},
      {.name = "clean_session",
       .type = OptionType::kBool,
       .default_value = true,
       .help = "Clean sessions; false keeps each consumer's session (and its queued messages) on the broker "
               "across reconnects, removed again after the run."},
      {.name = "max_inflight_messages",
       .type = OptionType::kInt,
       .default_value = int64_t{20},
       .help = "QoS 1/2 publishes each producer keeps on the wire without their acknowledgement "
               "(libmosquitto's default is 20).",
       .min = 1,
       .max = 65535},
      {.name = "max_queued_messages",
       .type = OptionType::kInt,
       .default_value = int64_t{1000},
       .help = "Publishes each producer has open (queued in the client or in flight) before it pushes back.",
       .min = 1,
       .max = 60000},
      {.name = "keepalive",
       .type = OptionType::kDuration,
       .default_value = int64_t{60'000'000'000},
       .help = "MQTT keep-alive interval.",
       .min = 5,
       .max = 65535},
      {.name = "connect_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{5'000'000'000},
       .help = "Longest wait for a CONNACK.",
       .min = 0.001,
       .max = 300},
  };
  return s;
}

class MqttSession final : public Session {
 public:
  MqttSession(const SessionContext& context, ClientConfig config)
      : options_(context.system->options), config_(std::move(config)), prefix_("bakeoff-" + context.run_id) {}

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
    settings.max_queued_messages = static_cast<size_t>(options_.GetInt("max_queued_messages", 1000));
    try {
      return mqtt::NewProducer(config_, std::move(settings), sink);
    } catch (const std::exception& e) {
      return Internal(std::string("mqtt: new producer: ") + e.what());
    }
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
    try {
      return mqtt::NewConsumer(config_, std::move(settings));
    } catch (const std::exception& e) {
      return Internal(std::string("mqtt: new consumer: ") + e.what());
    }
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts = {
        {"client", mqtt::LibraryVersion()},
        {"protocol", "MQTT 3.1.1"},
        {"qos", std::to_string(config_.qos)},
        {"clean_session", config_.clean_session ? "true" : "false"},
        {"max_inflight_messages", std::to_string(config_.max_inflight_messages)},
    };
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

  OptionValues options_;
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
  const OptionSchema& schema() const override { return schema_; }
  Capabilities capabilities(const OptionValues& options) const override {
    const int64_t qos = options.GetInt("qos", 1);
    // QoS 0 "acks" only mean the packet was written to the socket. MQTT orders each topic for a
    // publisher (3.1.1 section 4.6); durability across a broker restart depends on its persistence setting.
    return {.ordered_per_stream = true, .confirms_publish = qos > 0, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    try {
      std::string endpoint;
      if (auto it = context.endpoints.find("url"); it != context.endpoints.end()) endpoint = it->second;
      Result<ClientConfig> config = mqtt::MakeClientConfig(context.system->options, endpoint);
      if (!config.ok()) return config.status();
      // Fail at connect time, not at the first producer, when the broker is unreachable.
      mqtt::Client probe(*config, "bakeoff-" + context.run_id + "-probe", true, nullptr);
      BAKEOFF_RETURN_IF_ERROR(probe.Connect());
      return std::unique_ptr<Session>(new MqttSession(context, *config));
    } catch (const std::exception& e) {
      return Internal(std::string("mqtt: connect: ") + e.what());
    }
  }

 private:
  OptionSchema schema_ = MakeSchema();
};

}  // namespace

Driver* GetMqttDriver() {
  static MqttDriver driver;
  return &driver;
}

}  // namespace bakeoff
