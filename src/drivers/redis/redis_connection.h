// Redis connections for the redis-streams driver: endpoint parsing, connecting with timeouts,
// authentication and one-shot commands. Every socket operation is bounded by the connection's timeout so
// that a dead server turns into an error, never a hung thread.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "drivers/redis/redis_options.h"
#include "spec/option_schema.h"

namespace bakeoff::redis {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// Where and how to connect; built once per session from the options and the environment's endpoints.
struct ConnectionConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // empty = default user
  std::string password;  // resolved secret; empty = no AUTH
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds command_timeout{5000};
};

// Parses "redis://[[user]:password@]host[:port][/db]" (db other than 0 is refused: streams live in db 0
// for the comparison to be simple). The password from the URL is used only when `password` is unset.
Status ParseRedisUrl(const std::string& url, ConnectionConfig& config);

// Builds the configuration from the `url` option (or the "url" endpoint), `password` (a secret reference,
// resolved here) and the timeouts.
Result<ConnectionConfig> MakeConnectionConfig(const RedisSettings& settings, const std::string& endpoint_url);
// The same from options not yet bound (binds them with RedisOptions()).
Result<ConnectionConfig> MakeConnectionConfig(const OptionValues& options, const std::string& endpoint_url);

// Connects, sets the socket timeouts and authenticates.
Result<ContextPtr> Connect(const ConnectionConfig& config);

// The context's error as a Status ("redis: <what>: <hiredis message>"); kUnavailable for I/O, EOF and
// timeouts, kInternal otherwise.
Status ContextError(const redisContext* c, const std::string& what);

// Runs one command (binary-safe arguments) and returns its reply; an error reply is an error Status.
Result<ReplyPtr> Command(redisContext* c, const std::vector<std::string>& args);

}  // namespace bakeoff::redis
