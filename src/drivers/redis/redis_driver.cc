// The redis-streams driver: one Redis stream per (topic, partition), key "<topic>:<partition>", written
// with pipelined XADD and read by one consumer group (XREADGROUP + XACK) per subscription: "bakeoff-<run>",
// or "bakeoff-<run>-s<k>" with fan-out. Consumer i of n of a subscription reads the streams s with s % n ==
// i. Clients: redis_producer.cc and redis_consumer.cc; connections: redis_connection.cc. This file holds the
// option schema, the session (streams, group, facts) and the driver.
#include "drivers/redis/redis_driver.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "drivers/kit/backoff.h"
#include "drivers/redis/redis_clients.h"
#include "drivers/redis/redis_connection.h"

namespace bakeoff {
namespace {

using redis::Command;
using redis::ConnectionConfig;
using redis::ContextPtr;
using redis::ReplyPtr;

std::string InfoField(const std::string& info, const std::string& field) {
  const std::string needle = field + ":";
  size_t pos = info.find(needle);
  if (pos == std::string::npos) return "";
  pos += needle.size();
  const size_t end = info.find_first_of("\r\n", pos);
  return info.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

class RedisSession final : public Session {
 public:
  RedisSession(const SessionContext& context, redis::RedisSettings settings, ConnectionConfig config,
               ContextPtr admin)
      : settings_(std::move(settings)), config_(std::move(config)), admin_(std::move(admin)) {
    group_ = "bakeoff-" + context.run_id;
    const int subscriptions = context.workload != nullptr ? std::max(1, context.workload->subscriptions) : 1;
    for (int k = 0; k < subscriptions; ++k)
      groups_.push_back(subscriptions == 1 ? group_ : group_ + "-s" + std::to_string(k));
  }

  Status CreateTopics(const TopicLayout& layout) override {
    try {
      keys_.clear();
      for (const std::string& topic : layout.topics) {
        for (int p = 0; p < layout.partitions; ++p) keys_.push_back(topic + ":" + std::to_string(p));
      }
      for (const std::string& key : keys_) {
        // Recorded first: MKSTREAM made the stream even if a later group fails.
        created_.push_back(key);
        for (const std::string& group : groups_) {
          // From id 0 so that nothing written before a consumer's first read is skipped.
          Result<ReplyPtr> r = Command(admin_.get(), {"XGROUP", "CREATE", key, group, "0", "MKSTREAM"});
          if (!r.ok() && r.status().message().find("BUSYGROUP") == std::string::npos) return r.status();
        }
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return Internal(std::string("redis: create streams: ") + e.what());
    }
  }

  Status DeleteTopics() override {
    if (created_.empty()) return Status::Ok();
    std::vector<std::string> del = {"DEL"};
    del.insert(del.end(), created_.begin(), created_.end());
    Status st = Command(admin_.get(), del).status();
    if (!st.ok()) {
      // The admin connection may have died with a server restart: one fresh attempt.
      Result<ContextPtr> c = redis::Connect(config_);
      if (!c.ok()) return c.status();
      admin_ = std::move(c).value();
      st = Command(admin_.get(), del).status();
    }
    if (st.ok()) created_.clear();
    return st;
  }

  Result<std::unique_ptr<Producer>> NewProducer(int, CompletionSink& sink) override {
    if (keys_.empty()) return Internal("redis-streams: CreateTopics must come first");
    redis::ProducerSettings settings;
    settings.keys = keys_;
    settings.pipeline = settings_.pipeline;
    settings.maxlen = settings_.maxlen.value_or(0);
    return drivers_kit::ConnectOrStatus("redis: new producer", [&]() -> Result<std::unique_ptr<Producer>> {
      return redis::NewProducer(config_, std::move(settings), sink);
    });
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (keys_.empty()) return Internal("redis-streams: CreateTopics must come first");
    if (!spec.valid() || static_cast<size_t>(spec.subscription) >= groups_.size())
      return InvalidArgument("redis-streams: consumer outside the run's subscriptions");
    redis::ConsumerSettings settings;
    settings.keys = keys_;
    for (size_t s = static_cast<size_t>(spec.index); s < keys_.size(); s += static_cast<size_t>(spec.count)) {
      settings.streams.push_back(static_cast<uint32_t>(s));
    }
    settings.group = groups_[static_cast<size_t>(spec.subscription)];
    settings.consumer_name = "consumer-" + std::to_string(spec.index);
    settings.read_count = settings_.read_count;
    settings.block_ms = settings_.block_ms;
    return drivers_kit::ConnectOrStatus("redis: new consumer", [&]() -> Result<std::unique_ptr<Consumer>> {
      return redis::NewConsumer(config_, std::move(settings));
    });
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts = {
        {"client", "hiredis " + std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) + "." +
                       std::to_string(HIREDIS_PATCH)},
        {"pipeline", std::to_string(settings_.pipeline)},
        {"maxlen", settings_.maxlen ? std::to_string(*settings_.maxlen) : "none"},
        {"consumer_group",
         groups_.size() == 1 ? group_ : group_ + "-s0 .. " + groups_.back() + " (one per subscription)"},
    };
    Result<ReplyPtr> info = Command(admin_.get(), {"INFO", "server"});
    if (info.ok() && (*info)->type == REDIS_REPLY_STRING) {
      const std::string text((*info)->str, (*info)->len);
      facts["server_version"] = "redis " + InfoField(text, "redis_version");
      facts["server_mode"] = InfoField(text, "redis_mode");
    }
    // Read from the server (CONFIG GET), never from the experiment file: appendfsync means nothing
    // while appendonly is off, and a server may have been started with other settings.
    const std::string appendonly = ConfigValue("appendonly");
    const std::string appendfsync = ConfigValue("appendfsync");
    if (!appendonly.empty()) facts["server_appendonly"] = appendonly;
    if (!appendfsync.empty()) facts["server_appendfsync"] = appendfsync;
    facts["delivery_guarantee"] = RedisGuarantee(appendonly, appendfsync);
    return facts;
  }

 private:
  // One server setting by CONFIG GET; empty when the server refuses (e.g. a managed Redis).
  std::string ConfigValue(const char* name) {
    Result<ReplyPtr> reply = Command(admin_.get(), {"CONFIG", "GET", name});
    if (!reply.ok() || (*reply)->type != REDIS_REPLY_ARRAY || (*reply)->elements != 2) return "";
    const redisReply* value = (*reply)->element[1];
    return value->type == REDIS_REPLY_STRING ? std::string(value->str, value->len) : "";
  }

  redis::RedisSettings settings_;
  ConnectionConfig config_;
  ContextPtr admin_;
  std::string group_;
  std::vector<std::string> groups_;   // per subscription
  std::vector<std::string> keys_;     // per stream index
  std::vector<std::string> created_;  // what DeleteTopics removes
};

}  // namespace

std::string RedisGuarantee(const std::string& appendonly, const std::string& appendfsync) {
  const std::string acked = "at-least-once, XADD acked from the server's memory";
  if (appendonly.empty()) return acked + " (persistence unknown: CONFIG GET refused)";
  if (appendonly != "yes") return acked + ", AOF off: a server crash loses it";
  if (appendfsync == "always") return acked + ", AOF fsync always";
  if (appendfsync == "everysec") return acked + ", AOF fsync everysec (a crash loses up to 1 s)";
  return acked + ", AOF fsync left to the OS (appendfsync " + appendfsync + ")";
}

namespace {

class RedisStreamsDriver final : public Driver {
 public:
  std::string name() const override { return "redis-streams"; }
  std::string description() const override {
    return "Redis Streams (hiredis): pipelined XADD, consumer group with XREADGROUP and XACK.";
  }
  const OptionSchema& schema() const override { return redis::RedisOptions().schema(); }
  const OptionBinding* option_binding() const override { return &redis::RedisOptions(); }
  Capabilities capabilities(const OptionValues&) const override {
    // An XADD reply means the entry is in the server's memory; surviving a restart depends on the server's
    // appendonly/appendfsync settings (recorded in Facts), not on this client.
    return {.ordered_per_stream = true, .confirms_publish = true, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    return drivers_kit::ConnectOrStatus("redis: connect", [&]() -> Result<std::unique_ptr<Session>> {
      std::string endpoint;
      if (auto it = context.endpoints.find("url"); it != context.endpoints.end()) endpoint = it->second;
      Result<redis::RedisSettings> settings = redis::RedisOptions().Bind(context.system->options);
      if (!settings.ok()) return settings.status();
      Result<ConnectionConfig> config = redis::MakeConnectionConfig(*settings, endpoint);
      if (!config.ok()) return config.status();
      Result<ContextPtr> admin = redis::Connect(*config);
      if (!admin.ok()) return admin.status();
      return std::unique_ptr<Session>(
          new RedisSession(context, std::move(settings).value(), *config, std::move(admin).value()));
    });
  }
};

}  // namespace

Driver* GetRedisStreamsDriver() {
  static RedisStreamsDriver driver;
  return &driver;
}

}  // namespace bakeoff
