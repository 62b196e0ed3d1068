#include "drivers/nats/nats_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>

#include "spec/secrets.h"

namespace bakeoff::nats_internal {
namespace {

// C callbacks: they only touch atomics, so nothing can throw. The closure is a heap shared_ptr that
// the closed callback (always the last one cnats posts for a connection) releases.
void OnAsyncError(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  auto& events = **static_cast<std::shared_ptr<ConnectionEvents>*>(closure);
  if (err == NATS_SLOW_CONSUMER) {
    events.slow_consumer.fetch_add(1, std::memory_order_relaxed);
  } else {
    events.async_errors.fetch_add(1, std::memory_order_relaxed);
  }
}

void OnDisconnected(natsConnection*, void* closure) {
  (*static_cast<std::shared_ptr<ConnectionEvents>*>(closure))->disconnects.fetch_add(1);
}

void OnClosed(natsConnection*, void* closure) {
  auto* events = static_cast<std::shared_ptr<ConnectionEvents>*>(closure);
  (*events)->closed.store(true);
  delete events;
}

struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};

Result<std::string> Resolved(const std::optional<std::string>& option, const std::string& name) {
  const std::string text = option.value_or("");
  if (!HasSecretReference(text)) return text;
  Result<std::string> value = ResolveSecretReferences(text);
  if (!value.ok()) return Status(value.status().code(), "nats: " + name + ": " + value.status().message());
  return value;
}

// "nats://host:port" -> (host, port); IPv4 literals only (bakeoff's local servers).
std::optional<std::pair<std::string, int>> HostPort(const std::string& url) {
  std::string rest = url;
  if (const size_t scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
  if (const size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  int port = 0;
  for (char c : rest.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    port = port * 10 + (c - '0');
  }
  std::string host = rest.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, port);
}

// Reads the server's INFO line (sent first on every new connection) with a 1 s bound.
std::string ReadServerInfo(const std::string& url) {
  const auto hp = HostPort(url);
  if (!hp) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(hp->second));
  if (inet_pton(AF_INET, hp->first.c_str(), &addr.sin_addr) != 1) return {};
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  std::string line;
  (void)connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  for (int rounds = 0; rounds < 20 && line.find('\n') == std::string::npos; ++rounds) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[2048];
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
    if (line.size() > 65536) break;
  }
  close(fd);
  return line;
}

std::string JsonField(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  size_t pos = json.find(needle);
  if (pos == std::string::npos) return {};
  pos += needle.size();
  if (pos < json.size() && json[pos] == '"') {
    const size_t end = json.find('"', pos + 1);
    return end == std::string::npos ? std::string() : json.substr(pos + 1, end - pos - 1);
  }
  const size_t end = json.find_first_of(",}", pos);
  return json.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace

void ConnectionDeleter::operator()(natsConnection* nc) const {
  natsConnection_Close(nc);
  natsConnection_Destroy(nc);
}

Result<std::vector<std::string>> ServerUrls(const NatsConnectionSettings& settings,
                                            const Endpoints& endpoints) {
  std::string list = settings.url.value_or("");
  if (list.empty()) {
    auto it = endpoints.find("url");
    if (it != endpoints.end()) list = it->second;
  }
  std::vector<std::string> urls;
  std::stringstream in(list);
  std::string url;
  while (std::getline(in, url, ',')) {
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) urls.push_back(url);
  }
  if (urls.empty())
    return InvalidArgument("nats: no url option and the environment gave no \"url\" endpoint");
  return urls;
}

Result<Connection> Connect(const NatsConnectionSettings& settings, const Endpoints& endpoints,
                           const std::string& role) {
  Result<std::vector<std::string>> urls = ServerUrls(settings, endpoints);
  if (!urls.ok()) return urls.status();
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) return Internal("nats: out of memory creating options");
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw);
  std::vector<const char*> servers;
  for (const std::string& u : *urls) servers.push_back(u.c_str());
  natsStatus s = natsOptions_SetServers(opts.get(), servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetNoRandomize(opts.get(), true);
  if (s == NATS_OK) s = natsOptions_SetName(opts.get(), ("bakeoff-" + role).c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.get(), ToMillis(settings.connect_timeout));
  const int max_reconnect = settings.max_reconnect;
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts.get(), max_reconnect > 0);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.get(), max_reconnect);
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectWait(opts.get(), ToMillis(settings.reconnect_wait, 0));
  }
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectBufSize(opts.get(), settings.reconnect_buffer);
  }
  if (s == NATS_OK) s = natsOptions_SetIOBufSize(opts.get(), settings.io_buffer);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts.get(), settings.send_asap);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(opts.get(), ToMillis(settings.ping_interval));
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts.get(), 2);
  if (s == NATS_OK) s = natsOptions_SetFailRequestsOnDisconnect(opts.get(), true);
  if (s == NATS_OK && settings.tls) s = natsOptions_SetSecure(opts.get(), true);
  if (s != NATS_OK) return NatsError(s, "nats: invalid connection options");

  if (settings.user) {
    Result<std::string> user = Resolved(settings.user, "user");
    if (!user.ok()) return user.status();
    Result<std::string> password = Resolved(settings.password, "password");
    if (!password.ok()) return password.status();
    if (natsOptions_SetUserInfo(opts.get(), user->c_str(), password->c_str()) != NATS_OK) {
      return InvalidArgument("nats: invalid user/password");
    }
  }
  if (settings.token) {
    Result<std::string> token = Resolved(settings.token, "token");
    if (!token.ok()) return token.status();
    if (natsOptions_SetToken(opts.get(), token->c_str()) != NATS_OK)
      return InvalidArgument("nats: invalid token");
  }
  if (settings.credentials_file) {
    Result<std::string> path = Resolved(settings.credentials_file, "credentials_file");
    if (!path.ok()) return path.status();
    if (natsOptions_SetUserCredentialsFromFiles(opts.get(), path->c_str(), nullptr) != NATS_OK) {
      return InvalidArgument("nats: cannot use credentials_file " + *settings.credentials_file);
    }
  }

  Connection connection;
  auto* closure = new std::shared_ptr<ConnectionEvents>(connection.events);
  s = natsOptions_SetErrorHandler(opts.get(), &OnAsyncError, closure);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts.get(), &OnDisconnected, closure);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts.get(), &OnClosed, closure);
  if (s != NATS_OK) {
    delete closure;
    return NatsError(s, "nats: cannot set callbacks");
  }
  natsConnection* nc = nullptr;
  s = natsConnection_Connect(&nc, opts.get());
  if (s != NATS_OK) {
    // cnats posts no closed callback for a connection that never opened; the closure is leaked on
    // purpose (a few bytes) rather than risk a late callback touching freed memory.
    std::string joined;
    for (const std::string& u : *urls) joined += (joined.empty() ? "" : ",") + u;
    Status st = NatsError(s, "nats: connect to " + joined);
    return Status(s == NATS_NO_SERVER || s == NATS_TIMEOUT ? StatusCode::kUnavailable : st.code(),
                  st.message());
  }
  connection.nc.reset(nc);
  return connection;
}

Status NatsError(natsStatus s, const std::string& what) {
  const char* last = nats_GetLastError(nullptr);
  std::string message = what + ": " + natsStatus_GetText(s);
  if (last != nullptr && *last != '\0' && std::string(last) != natsStatus_GetText(s))
    message += " (" + std::string(last) + ")";
  switch (s) {
    case NATS_OK:
      return Status::Ok();
    case NATS_TIMEOUT:
      return Timeout(message);
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_STALE_CONNECTION:
    case NATS_IO_ERROR:
    case NATS_SLOW_CONSUMER:
    case NATS_NO_RESPONDERS:
      return Unavailable(message);
    case NATS_CONNECTION_AUTH_FAILED:
    case NATS_NOT_PERMITTED:
      return Unauthenticated(message);
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
    case NATS_MAX_PAYLOAD:
      return InvalidArgument(message);
    case NATS_INSUFFICIENT_BUFFER:
      return QueueFull(message);
    case NATS_NOT_FOUND:
      return NotFound(message);
    default:
      return Internal(message);
  }
}

int64_t ToMillis(std::chrono::nanoseconds d, int64_t min_ms) {
  return std::max<int64_t>(min_ms, std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::string SubjectFor(const std::string& topic, int partition) {
  std::string subject = topic;
  for (char& c : subject) {
    if (c == '.' || c == '*' || c == '>' || std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  return subject + "." + std::to_string(partition);
}

std::string SafeName(const std::string& text) {
  std::string name = text;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return name;
}

std::map<std::string, std::string> ConnectionFacts(natsConnection* nc, const OptionValues& options) {
  std::map<std::string, std::string> facts;
  facts["client"] = std::string("cnats ") + nats_GetVersion();
  char buf[512] = {};
  if (nc != nullptr && natsConnection_GetConnectedUrl(nc, buf, sizeof(buf)) == NATS_OK && buf[0] != '\0') {
    facts["connected_url"] = buf;
    const std::string info = ReadServerInfo(buf);
    for (const char* key : {"version", "server_name", "go", "jetstream", "cluster", "max_payload"}) {
      const std::string value = JsonField(info, key);
      if (!value.empty()) facts[std::string("server_") + key] = value;
    }
  }
  if (nc != nullptr && natsConnection_GetConnectedServerId(nc, buf, sizeof(buf)) == NATS_OK &&
      buf[0] != '\0') {
    facts["server_id"] = buf;
  }
  for (const auto& [name, value] : options.all()) {
    if (name == "password" || name == "token") continue;
    if (const auto* s = std::get_if<std::string>(&value)) {
      facts["option." + name] = *s;
    } else if (const auto* i = std::get_if<int64_t>(&value)) {
      facts["option." + name] = std::to_string(*i);
    } else if (const auto* b = std::get_if<bool>(&value)) {
      facts["option." + name] = *b ? "true" : "false";
    } else if (const auto* d = std::get_if<double>(&value)) {
      facts["option." + name] = std::to_string(*d);
    }
  }
  return facts;
}

std::vector<uint32_t> OwnedStreams(int index, int count, int streams) {
  std::vector<uint32_t> owned;
  for (int s = index; s < streams; s += std::max(1, count)) owned.push_back(static_cast<uint32_t>(s));
  return owned;
}

}  // namespace bakeoff::nats_internal
