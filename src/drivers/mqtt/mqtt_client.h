// One libmosquitto client driven by its owner's thread (no library thread): connecting with a deadline,
// running the network loop for a bounded time, and the settings every bakeoff MQTT client shares.
// Callbacks therefore run inside Loop(), on the thread that calls it; they must not throw.
#pragma once

#include <mosquitto.h>

#include <chrono>
#include <functional>
#include <string>

#include "base/status.h"
#include "drivers/mqtt/mqtt_options.h"
#include "spec/option_schema.h"

namespace bakeoff::mqtt {

struct ClientConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string username;
  std::string password;  // resolved secret
  int qos = 1;
  bool clean_session = true;
  int max_inflight_messages = 20;  // QoS 1/2 messages on the wire without their acknowledgement
  std::chrono::seconds keepalive{60};
  std::chrono::milliseconds connect_timeout{5000};
};

// Parses "mqtt://host:port" (also "tcp://").
Status ParseMqttUrl(const std::string& url, ClientConfig& config);

// Builds the configuration from the options (`url` overrides the endpoint) and resolves the password.
Result<ClientConfig> MakeClientConfig(const MqttSettings& settings, const std::string& endpoint_url);
// The same from options not yet bound (binds them with MqttOptions()).
Result<ClientConfig> MakeClientConfig(const OptionValues& options, const std::string& endpoint_url);

// "mqtt: <what>: <mosquitto's message>"; kUnavailable for connection errors.
Status MosquittoError(int rc, const std::string& what);

// Library version "libmosquitto 2.0.11".
std::string LibraryVersion();

class Client {
 public:
  // `client_id` must be unique per broker (persistent sessions are keyed by it).
  Client(const ClientConfig& config, const std::string& client_id, bool clean_session, void* userdata);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  struct mosquitto* handle() {
    return mosq_;
  }
  // The library's callbacks receive this Client as their userdata; owner() is what the caller passed.
  void* owner() const { return userdata_; }
  static void* OwnerOf(void* callback_userdata) { return static_cast<Client*>(callback_userdata)->userdata_; }
  bool connected() const { return connected_; }

  // Connects (non-blocking TCP connect, then the loop until CONNACK) within config.connect_timeout.
  Status Connect();
  // Serves the network for at most `max_wait` (rounded down to ms; 0 = only what is ready now). A lost
  // connection is reported once as kUnavailable; connected() turns false.
  Status Loop(std::chrono::nanoseconds max_wait);
  // Sends DISCONNECT and serves the loop briefly so it leaves; idempotent.
  void Disconnect();

 private:
  static void OnConnect(struct mosquitto*, void* self, int rc);
  static void OnDisconnect(struct mosquitto*, void* self, int rc);

  ClientConfig config_;
  struct mosquitto* mosq_ = nullptr;
  void* userdata_ = nullptr;
  bool connected_ = false;
  int connack_rc_ = -1;
};

}  // namespace bakeoff::mqtt
