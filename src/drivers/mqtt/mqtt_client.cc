#include "drivers/mqtt/mqtt_client.h"

#include <mutex>
#include <thread>

#include "drivers/kit/host_port.h"
#include "measure/clock.h"
#include "spec/secrets.h"

namespace bakeoff::mqtt {
namespace {

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

Status ParseMqttUrl(const std::string& url, ClientConfig& config) {
  std::string rest = url;
  for (const char* scheme : {"mqtt://", "tcp://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::string(scheme).size());
  }
  if (rest.find("://") != std::string::npos) {
    return InvalidArgument("mqtt: url must start with mqtt:// (got \"" + url + "\")");
  }
  // Only the first of a comma-separated list: one broker per client.
  rest = rest.substr(0, rest.find(','));
  if (const size_t slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  Result<drivers_kit::HostPort> where = drivers_kit::ParseHostPort(rest, {config.host, config.port}, "mqtt");
  if (!where.ok()) return where.status();
  config.host = where->host;
  config.port = where->port;
  return Status::Ok();
}

Result<ClientConfig> MakeClientConfig(const MqttSettings& settings, const std::string& endpoint_url) {
  ClientConfig config;
  const std::string url = settings.url.value_or(endpoint_url);
  if (url.empty())
    return InvalidArgument("mqtt: no broker: set the `url` option or use an environment that provides one");
  BAKEOFF_RETURN_IF_ERROR(ParseMqttUrl(url, config));
  config.username = settings.username;
  if (settings.password) {
    Result<std::string> password = ResolveSecretReferences(*settings.password);
    if (!password.ok()) return password.status();
    config.password = *password;
  }
  config.qos = settings.qos;
  config.clean_session = settings.clean_session;
  config.max_inflight_messages = settings.max_inflight_messages;
  config.keepalive = settings.keepalive;
  config.connect_timeout = settings.connect_timeout;
  return config;
}

Result<ClientConfig> MakeClientConfig(const OptionValues& options, const std::string& endpoint_url) {
  Result<MqttSettings> settings = MqttOptions().Bind(options);
  if (!settings.ok()) return settings.status();
  return MakeClientConfig(*settings, endpoint_url);
}

Status MosquittoError(int rc, const std::string& what) {
  const std::string message = "mqtt: " + what + ": " + mosquitto_strerror(rc);
  switch (rc) {
    case MOSQ_ERR_NO_CONN:
    case MOSQ_ERR_CONN_LOST:
    case MOSQ_ERR_CONN_REFUSED:
    case MOSQ_ERR_ERRNO:
    case MOSQ_ERR_KEEPALIVE:
      return Unavailable(message);
    case MOSQ_ERR_NOMEM:
    case MOSQ_ERR_OVERSIZE_PACKET:
      return Internal(message);
    case MOSQ_ERR_AUTH:
      return Unauthenticated(message);
    default:
      return Internal(message);
  }
}

std::string LibraryVersion() {
  int major = 0, minor = 0, revision = 0;
  mosquitto_lib_version(&major, &minor, &revision);
  return "libmosquitto " + std::to_string(major) + "." + std::to_string(minor) + "." +
         std::to_string(revision);
}

Client::Client(const ClientConfig& config, const std::string& client_id, bool clean_session, void* userdata)
    : config_(config), userdata_(userdata) {
  InitLibraryOnce();
  mosq_ = mosquitto_new(client_id.c_str(), clean_session, this);
  if (mosq_ == nullptr) return;
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set(mosq_, static_cast<unsigned int>(config_.max_inflight_messages));
  if (!config_.username.empty() || !config_.password.empty()) {
    mosquitto_username_pw_set(mosq_, config_.username.c_str(),
                              config_.password.empty() ? nullptr : config_.password.c_str());
  }
  mosquitto_connect_callback_set(mosq_, &Client::OnConnect);
  mosquitto_disconnect_callback_set(mosq_, &Client::OnDisconnect);
}

Client::~Client() {
  if (mosq_ == nullptr) return;
  Disconnect();
  mosquitto_destroy(mosq_);
}

Status Client::Connect() {
  if (mosq_ == nullptr) return Internal("mqtt: cannot create a client");
  const std::string where = config_.host + ":" + std::to_string(config_.port);
  connack_rc_ = -1;
  int rc = mosquitto_connect_async(mosq_, config_.host.c_str(), config_.port,
                                   static_cast<int>(config_.keepalive.count()));
  if (rc != MOSQ_ERR_SUCCESS) return MosquittoError(rc, "connect to " + where);
  const int64_t deadline = MonotonicNowNs() + std::chrono::nanoseconds(config_.connect_timeout).count();
  while (connack_rc_ < 0) {
    if (MonotonicNowNs() >= deadline) {
      mosquitto_disconnect(mosq_);
      return Timeout("mqtt: no CONNACK from " + where + " within the connect timeout");
    }
    rc = mosquitto_loop(mosq_, 20, 1);
    if (rc != MOSQ_ERR_SUCCESS && connack_rc_ < 0) return MosquittoError(rc, "connect to " + where);
  }
  if (connack_rc_ != 0) {
    const std::string why = mosquitto_connack_string(connack_rc_);
    if (connack_rc_ == 4 || connack_rc_ == 5) return Unauthenticated("mqtt: " + where + " refused: " + why);
    return Unavailable("mqtt: " + where + " refused the connection: " + why);
  }
  return Status::Ok();
}

Status Client::Loop(std::chrono::nanoseconds max_wait) {
  const int timeout_ms = static_cast<int>(std::min<int64_t>(max_wait.count() / 1'000'000, 60'000));
  const int rc = mosquitto_loop(mosq_, timeout_ms, 1);
  if (rc == MOSQ_ERR_SUCCESS) return Status::Ok();
  const bool was_connected = connected_;
  connected_ = false;
  if (!was_connected && rc == MOSQ_ERR_NO_CONN && timeout_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
  }
  return MosquittoError(rc, "network loop");
}

void Client::Disconnect() {
  if (mosq_ == nullptr || !connected_) return;
  mosquitto_disconnect(mosq_);
  // The DISCONNECT packet leaves on the next loop; a few ms are plenty on a live connection.
  for (int i = 0; i < 5 && connected_; ++i) {
    if (mosquitto_loop(mosq_, 2, 1) != MOSQ_ERR_SUCCESS) break;
  }
  connected_ = false;
}

void Client::OnConnect(struct mosquitto*, void* self, int rc) {
  auto* client = static_cast<Client*>(self);
  client->connack_rc_ = rc;
  client->connected_ = rc == 0;
}

void Client::OnDisconnect(struct mosquitto*, void* self, int) {
  static_cast<Client*>(self)->connected_ = false;
}

}  // namespace bakeoff::mqtt
