#include "drivers/redis/redis_connection.h"

#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "drivers/kit/host_port.h"
#include "spec/secrets.h"

namespace bakeoff::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace

Status ParseRedisUrl(const std::string& url, ConnectionConfig& config) {
  std::string rest = url;
  const std::string scheme = "redis://";
  if (rest.rfind(scheme, 0) == 0) {
    rest = rest.substr(scheme.size());
  } else if (rest.find("://") != std::string::npos) {
    return InvalidArgument("redis: url must start with redis:// (got \"" + url + "\")");
  }
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    if (colon == std::string::npos) {
      config.password = userinfo;
    } else {
      config.username = userinfo.substr(0, colon);
      config.password = userinfo.substr(colon + 1);
    }
  }
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    if (!db.empty() && db != "0")
      return InvalidArgument("redis: only database 0 is supported (url " + url + ")");
    rest = rest.substr(0, slash);
  }
  Result<drivers_kit::HostPort> where = drivers_kit::ParseHostPort(rest, {config.host, config.port}, "redis");
  if (!where.ok()) return where.status();
  config.host = where->host;
  config.port = where->port;
  return Status::Ok();
}

Result<ConnectionConfig> MakeConnectionConfig(const RedisSettings& settings,
                                              const std::string& endpoint_url) {
  ConnectionConfig config;
  const std::string url = settings.url.value_or(endpoint_url);
  if (url.empty()) {
    return InvalidArgument(
        "redis-streams: no server: set the `url` option or use an environment that provides one");
  }
  BAKEOFF_RETURN_IF_ERROR(ParseRedisUrl(url, config));
  if (settings.username) config.username = *settings.username;
  if (settings.password) {
    Result<std::string> password = ResolveSecretReferences(*settings.password);
    if (!password.ok()) return password.status();
    config.password = *password;
  }
  config.connect_timeout = settings.connect_timeout;
  config.command_timeout = settings.command_timeout;
  return config;
}

Result<ConnectionConfig> MakeConnectionConfig(const OptionValues& options, const std::string& endpoint_url) {
  Result<RedisSettings> settings = RedisOptions().Bind(options);
  if (!settings.ok()) return settings.status();
  return MakeConnectionConfig(*settings, endpoint_url);
}

Status ContextError(const redisContext* c, const std::string& what) {
  if (c == nullptr) return Internal("redis: " + what + ": cannot allocate a context");
  const std::string message = "redis: " + what + ": " + (c->errstr[0] ? c->errstr : "unknown error");
  switch (c->err) {
    case REDIS_ERR_IO:
    case REDIS_ERR_EOF:
      return Unavailable(message);
    default:
      return Internal(message);
  }
}

Result<ContextPtr> Connect(const ConnectionConfig& config) {
  ContextPtr c(redisConnectWithTimeout(config.host.c_str(), config.port, ToTimeval(config.connect_timeout)));
  const std::string where = config.host + ":" + std::to_string(config.port);
  if (c == nullptr || c->err) return ContextError(c.get(), "connect to " + where);
  if (redisSetTimeout(c.get(), ToTimeval(config.command_timeout)) != REDIS_OK) {
    return ContextError(c.get(), "set timeout on " + where);
  }
  (void)redisEnableKeepAlive(c.get());
  if (!config.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!config.username.empty()) auth.push_back(config.username);
    auth.push_back(config.password);
    Result<ReplyPtr> reply = Command(c.get(), auth);
    if (!reply.ok()) {
      // Never echo the password; the server's message names the problem.
      if (reply.status().code() == StatusCode::kInternal) {
        return Unauthenticated("redis: AUTH refused by " + where + ": " + reply.status().message());
      }
      return reply.status();
    }
  }
  return c;
}

Result<ReplyPtr> Command(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr reply(
      static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
  const std::string name = args.empty() ? "command" : args[0];
  if (reply == nullptr) return ContextError(c, name);
  if (reply->type == REDIS_REPLY_ERROR) {
    return Internal("redis: " + name + ": " + std::string(reply->str, reply->len));
  }
  return reply;
}

}  // namespace bakeoff::redis
