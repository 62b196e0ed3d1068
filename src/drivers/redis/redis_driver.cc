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

#include "drivers/redis/redis_clients.h"
#include "drivers/redis/redis_connection.h"

namespace bakeoff {
namespace {

using redis::Command;
using redis::ConnectionConfig;
using redis::ContextPtr;
using redis::ReplyPtr;

OptionSchema MakeSchema() {
  OptionSchema s;
  s.options = {
      {.name = "url",
       .type = OptionType::kString,
       .optional = true,
       .help = "Server, redis://[[user]:password@]host:port; overrides the environment's endpoint."},
      {.name = "username",
       .type = OptionType::kString,
       .optional = true,
       .help = "ACL user for AUTH (Redis 6+); default user when unset."},
      {.name = "password",
       .type = OptionType::kString,
       .optional = true,
       .help = "Password for AUTH; use a reference such as \"${env:REDIS_PASSWORD}\".",
       .secret = true},
      {.name = "pipeline",
       .type = OptionType::kInt,
       .default_value = int64_t{64},
       .help = "XADD commands each producer keeps in flight on its connection (like redis-benchmark -P).",
       .min = 1,
       .max = 65536},
      {.name = "maxlen",
       .type = OptionType::kInt,
       .optional = true,
       .help = "Trim each stream with XADD MAXLEN ~ <maxlen>; entries trimmed before they are read count "
               "as lost.",
       .min = 1},
      {.name = "read_count",
       .type = OptionType::kInt,
       .default_value = int64_t{1000},
       .help = "XREADGROUP COUNT: entries per stream per read.",
       .min = 1,
       .max = 1'000'000},
      {.name = "block_ms",
       .type = OptionType::kInt,
       .default_value = int64_t{100},
       .help = "Longest XREADGROUP BLOCK in milliseconds (the runner's poll interval caps it).",
       .min = 1,
       .max = 60'000},
      {.name = "connect_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{3'000'000'000},
       .help = "Connect timeout for every connection.",
       .min = 0.001,
       .max = 300},
      {.name = "command_timeout",
       .type = OptionType::kDuration,
       .default_value = int64_t{5'000'000'000},
       .help = "Longest wait for a reply (beyond BLOCK) before the connection is declared dead.",
       .min = 0.001,
       .max = 300},
  };
  return s;
}

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
  RedisSession(const SessionContext& context, ConnectionConfig config, ContextPtr admin)
      : options_(context.system->options), config_(std::move(config)), admin_(std::move(admin)) {
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
    settings.pipeline = static_cast<size_t>(options_.GetInt("pipeline", 64));
    settings.maxlen = options_.Has("maxlen") ? options_.GetInt("maxlen") : 0;
    try {
      return redis::NewProducer(config_, std::move(settings), sink);
    } catch (const std::exception& e) {
      return Internal(std::string("redis: new producer: ") + e.what());
    }
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
    settings.read_count = options_.GetInt("read_count", 1000);
    settings.block_ms = options_.GetInt("block_ms", 100);
    try {
      return redis::NewConsumer(config_, std::move(settings));
    } catch (const std::exception& e) {
      return Internal(std::string("redis: new consumer: ") + e.what());
    }
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts = {
        {"client", "hiredis " + std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) + "." +
                       std::to_string(HIREDIS_PATCH)},
        {"pipeline", std::to_string(options_.GetInt("pipeline", 64))},
        {"maxlen", options_.Has("maxlen") ? std::to_string(options_.GetInt("maxlen")) : "none"},
        {"consumer_group",
         groups_.size() == 1 ? group_ : group_ + "-s0 .. " + groups_.back() + " (one per subscription)"},
    };
    Result<ReplyPtr> info = Command(admin_.get(), {"INFO", "server"});
    if (info.ok() && (*info)->type == REDIS_REPLY_STRING) {
      const std::string text((*info)->str, (*info)->len);
      facts["server_version"] = "redis " + InfoField(text, "redis_version");
      facts["server_mode"] = InfoField(text, "redis_mode");
    }
    Result<ReplyPtr> aof = Command(admin_.get(), {"CONFIG", "GET", "appendfsync"});
    if (aof.ok() && (*aof)->type == REDIS_REPLY_ARRAY && (*aof)->elements == 2) {
      facts["server_appendfsync"] = (*aof)->element[1]->str;
    }
    return facts;
  }

 private:
  OptionValues options_;
  ConnectionConfig config_;
  ContextPtr admin_;
  std::string group_;
  std::vector<std::string> groups_;   // per subscription
  std::vector<std::string> keys_;     // per stream index
  std::vector<std::string> created_;  // what DeleteTopics removes
};

class RedisStreamsDriver final : public Driver {
 public:
  std::string name() const override { return "redis-streams"; }
  std::string description() const override {
    return "Redis Streams (hiredis): pipelined XADD, consumer group with XREADGROUP and XACK.";
  }
  const OptionSchema& schema() const override { return schema_; }
  Capabilities capabilities(const OptionValues&) const override {
    // An XADD reply means the entry is in the server's memory; surviving a restart depends on the server's
    // appendonly/appendfsync settings (recorded in Facts), not on this client.
    return {.ordered_per_stream = true, .confirms_publish = true, .durable = false};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    try {
      std::string endpoint;
      if (auto it = context.endpoints.find("url"); it != context.endpoints.end()) endpoint = it->second;
      Result<ConnectionConfig> config = redis::MakeConnectionConfig(context.system->options, endpoint);
      if (!config.ok()) return config.status();
      Result<ContextPtr> admin = redis::Connect(*config);
      if (!admin.ok()) return admin.status();
      return std::unique_ptr<Session>(new RedisSession(context, *config, std::move(admin).value()));
    } catch (const std::exception& e) {
      return Internal(std::string("redis: connect: ") + e.what());
    }
  }

 private:
  OptionSchema schema_ = MakeSchema();
};

}  // namespace

Driver* GetRedisStreamsDriver() {
  static RedisStreamsDriver driver;
  return &driver;
}

}  // namespace bakeoff
