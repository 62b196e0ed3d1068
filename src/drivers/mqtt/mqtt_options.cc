#include "drivers/mqtt/mqtt_options.h"

namespace bakeoff::mqtt {
namespace {

using namespace std::chrono_literals;

void Declare(OptionBinder<MqttSettings>& b) {
  using S = MqttSettings;
  b.String("url", &S::url).Help("Broker, mqtt://host:port; overrides the environment's endpoint.");
  b.String("username", &S::username).Help("User name for CONNECT.");
  b.String("password", &S::password)
      .Secret()
      .Help("Password for CONNECT; use a reference such as \"${env:MQTT_PASSWORD}\".");
  b.Int("qos", &S::qos)
      .Default(1)
      .Range(0, 2)
      .Help(
          "QoS of publishes and subscriptions: 0 at most once (no confirmation, loss possible), 1 at least "
          "once (PUBACK), 2 exactly once (PUBCOMP).");
  b.Bool("clean_session", &S::clean_session)
      .Default(true)
      .Help(
          "Clean sessions; false keeps each consumer's session (and its queued messages) on the broker "
          "across reconnects, removed again after the run.");
  b.Int("max_inflight_messages", &S::max_inflight_messages)
      .Default(20)
      .Range(1, 65535)
      .Help(
          "QoS 1/2 publishes each producer keeps on the wire without their acknowledgement (libmosquitto's "
          "default is 20).");
  b.Int("max_queued_messages", &S::max_queued_messages)
      .Default(1000)
      .Range(1, 60000)
      .Help("Publishes each producer has open (queued in the client or in flight) before it pushes back.");
  b.Duration("keepalive", &S::keepalive).Default(60s).Range(5s, 65535s).Help("MQTT keep-alive interval.");
  b.Duration("connect_timeout", &S::connect_timeout)
      .Default(5s)
      .Range(1ms, 300s)
      .Help("Longest wait for a CONNACK.");
}

}  // namespace

const OptionBinder<MqttSettings>& MqttOptions() {
  static const OptionBinder<MqttSettings>* binder = [] {
    auto* b = new OptionBinder<MqttSettings>();
    Declare(*b);
    return b;
  }();
  return *binder;
}

}  // namespace bakeoff::mqtt
