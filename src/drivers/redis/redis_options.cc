#include "drivers/redis/redis_options.h"

namespace bakeoff::redis {
namespace {

using namespace std::chrono_literals;

void Declare(OptionBinder<RedisSettings>& b) {
  using S = RedisSettings;
  b.String("url", &S::url)
      .Help("Server, redis://[[user]:password@]host:port; overrides the environment's endpoint.");
  b.String("username", &S::username).Help("ACL user for AUTH (Redis 6+); default user when unset.");
  b.String("password", &S::password)
      .Secret()
      .Help("Password for AUTH; use a reference such as \"${env:REDIS_PASSWORD}\".");
  b.Int("pipeline", &S::pipeline)
      .Default(64)
      .Range(1, 65536)
      .Help("XADD commands each producer keeps in flight on its connection (like redis-benchmark -P).");
  b.Int("maxlen", &S::maxlen)
      .Min(1)
      .Help(
          "Trim each stream with XADD MAXLEN ~ <maxlen>; entries trimmed before they are read count as "
          "lost.");
  b.Int("read_count", &S::read_count)
      .Default(1000)
      .Range(1, 1'000'000)
      .Help("XREADGROUP COUNT: entries per stream per read.");
  b.Int("block_ms", &S::block_ms)
      .Default(100)
      .Range(1, 60'000)
      .Help("Longest XREADGROUP BLOCK in milliseconds (the runner's poll interval caps it).");
  b.Duration("connect_timeout", &S::connect_timeout)
      .Default(3s)
      .Range(1ms, 300s)
      .Help("Connect timeout for every connection.");
  b.Duration("command_timeout", &S::command_timeout)
      .Default(5s)
      .Range(1ms, 300s)
      .Help("Longest wait for a reply (beyond BLOCK) before the connection is declared dead.");
}

}  // namespace

const OptionBinder<RedisSettings>& RedisOptions() {
  static const OptionBinder<RedisSettings>* binder = [] {
    auto* b = new OptionBinder<RedisSettings>();
    Declare(*b);
    return b;
  }();
  return *binder;
}

}  // namespace bakeoff::redis
