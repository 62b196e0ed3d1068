// The redis-streams consumer: one connection, XREADGROUP ... STREAMS <its keys> > ... with a bounded BLOCK.
// The ids of what it delivered are acknowledged with XACK pipelined in front of the next XREADGROUP, so
// acknowledging costs no extra round trip. A lost connection is an error of that Poll(); the next Poll()
// reconnects (at most twice a second) and reads on from the group's position.
#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>

#include "drivers/redis/redis_clients.h"
#include "measure/clock.h"

namespace bakeoff::redis {
namespace {

constexpr int64_t kReconnectEveryNs = 500'000'000;

class RedisConsumer final : public Consumer {
 public:
  RedisConsumer(const ConnectionConfig& config, ConsumerSettings settings, ContextPtr c)
      : config_(config),
        settings_(std::move(settings)),
        c_(std::move(c)),
        pending_acks_(settings_.streams.size()) {
    count_ = std::to_string(settings_.read_count);
  }

  bool Ready() override { return ready_; }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    try {
      if (settings_.streams.empty() || closed_) {
        std::this_thread::sleep_for(max_wait);
        ready_ = true;
        return Status::Ok();
      }
      if (c_ == nullptr) BAKEOFF_RETURN_IF_ERROR(Reconnect());
      return ReadOnce(max_wait, sink);
    } catch (const std::exception& e) {
      return Internal(std::string("redis: consumer poll: ") + e.what());
    }
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    Status st;
    if (c_ != nullptr) {
      const int acks = AppendAcks();
      for (int i = 0; i < acks && c_ != nullptr; ++i) {
        Status ack = ReadReply("XACK").status();
        if (st.ok()) st = ack;
      }
    }
    c_.reset();
    return st;
  }

 private:
  Status ReadOnce(std::chrono::nanoseconds max_wait, ReceiveSink& sink) {
    const int acks = AppendAcks();
    const int64_t block_ms = std::min<int64_t>(settings_.block_ms, max_wait.count() / 1'000'000);
    args_ = {"XREADGROUP", "GROUP", settings_.group, settings_.consumer_name, "COUNT", count_};
    // BLOCK 0 would wait forever: a zero wait is a plain non-blocking read.
    if (block_ms > 0) args_.insert(args_.end(), {"BLOCK", std::to_string(block_ms)});
    args_.push_back("STREAMS");
    for (uint32_t s : settings_.streams) args_.push_back(settings_.keys[s]);
    for (size_t i = 0; i < settings_.streams.size(); ++i) args_.push_back(">");
    argv_.clear();
    lens_.clear();
    for (const std::string& a : args_) {
      argv_.push_back(a.data());
      lens_.push_back(a.size());
    }
    if (redisAppendCommandArgv(c_.get(), static_cast<int>(argv_.size()), argv_.data(), lens_.data()) !=
        REDIS_OK) {
      return Internal("redis: cannot format XREADGROUP");
    }
    // The socket timeout must outlast the server-side BLOCK.
    SetTimeout(std::chrono::milliseconds(block_ms) + config_.command_timeout);
    Status ack_status;
    for (int i = 0; i < acks; ++i) {
      Result<ReplyPtr> ack = ReadReply("XACK");
      if (c_ == nullptr) return ack.status();  // connection lost: the rest of the replies with it
      if (!ack.ok() && ack_status.ok()) ack_status = ack.status();
    }
    Result<ReplyPtr> reply = ReadReply("XREADGROUP");
    if (!reply.ok()) return reply.status();
    ready_ = true;
    BAKEOFF_RETURN_IF_ERROR(Deliver(**reply, sink));
    return ack_status;
  }

  Status Deliver(const redisReply& reply, ReceiveSink& sink) {
    if (reply.type == REDIS_REPLY_NIL) return Status::Ok();  // BLOCK timed out
    if (reply.type != REDIS_REPLY_ARRAY) return Internal("redis: unexpected XREADGROUP reply type");
    batch_.clear();
    for (size_t k = 0; k < reply.elements; ++k) {
      const redisReply* stream = reply.element[k];
      if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
      const int slot = SlotOf(*stream->element[0]);
      if (slot < 0) continue;
      const uint32_t index = settings_.streams[static_cast<size_t>(slot)];
      const redisReply* entries = stream->element[1];
      if (entries->type != REDIS_REPLY_ARRAY) continue;
      for (size_t e = 0; e < entries->elements; ++e) {
        const redisReply* entry = entries->element[e];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) continue;
        pending_acks_[static_cast<size_t>(slot)].emplace_back(entry->element[0]->str, entry->element[0]->len);
        const redisReply* fields = entry->element[1];
        // Fields are [name, value, ...]; the driver writes one field, "d".
        if (fields->type != REDIS_REPLY_ARRAY || fields->elements < 2) continue;
        const redisReply* value = fields->element[1];
        batch_.push_back(
            {index, std::span<const std::byte>(reinterpret_cast<const std::byte*>(value->str), value->len)});
      }
    }
    if (!batch_.empty()) sink.OnReceived(batch_);
    return Status::Ok();
  }

  int SlotOf(const redisReply& key) const {
    for (size_t i = 0; i < settings_.streams.size(); ++i) {
      const std::string& k = settings_.keys[settings_.streams[i]];
      if (k.size() == key.len && std::memcmp(k.data(), key.str, key.len) == 0) return static_cast<int>(i);
    }
    return -1;
  }

  // Appends one XACK per stream with delivered ids; returns how many replies to read.
  int AppendAcks() {
    int commands = 0;
    for (size_t i = 0; i < pending_acks_.size(); ++i) {
      std::vector<std::string>& ids = pending_acks_[i];
      if (ids.empty()) continue;
      args_ = {"XACK", settings_.keys[settings_.streams[i]], settings_.group};
      args_.insert(args_.end(), ids.begin(), ids.end());
      ids.clear();
      argv_.clear();
      lens_.clear();
      for (const std::string& a : args_) {
        argv_.push_back(a.data());
        lens_.push_back(a.size());
      }
      if (redisAppendCommandArgv(c_.get(), static_cast<int>(argv_.size()), argv_.data(), lens_.data()) ==
          REDIS_OK) {
        ++commands;
      }
    }
    return commands;
  }

  Result<ReplyPtr> ReadReply(const char* what) {
    void* raw = nullptr;
    if (redisGetReply(c_.get(), &raw) != REDIS_OK || raw == nullptr) {
      Status st = ContextError(c_.get(), what);
      c_.reset();
      next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
      last_error_ = st;
      return st;
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (reply->type == REDIS_REPLY_ERROR) return Internal(std::string("redis: ") + what + ": " + reply->str);
    return reply;
  }

  void SetTimeout(std::chrono::milliseconds d) {
    if (d == current_timeout_) return;
    timeval tv{.tv_sec = static_cast<time_t>(d.count() / 1000),
               .tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000)};
    if (redisSetTimeout(c_.get(), tv) == REDIS_OK) current_timeout_ = d;
  }

  Status Reconnect() {
    if (MonotonicNowNs() < next_reconnect_ns_) return last_error_;
    Result<ContextPtr> c = Connect(config_);
    if (!c.ok()) {
      next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
      last_error_ = c.status();
      return last_error_;
    }
    c_ = std::move(c).value();
    current_timeout_ = config_.command_timeout;
    return Status::Ok();
  }

  ConnectionConfig config_;
  ConsumerSettings settings_;
  ContextPtr c_;
  std::string count_;
  std::vector<std::vector<std::string>> pending_acks_;  // per slot of settings_.streams
  std::vector<std::string> args_;
  std::vector<const char*> argv_;
  std::vector<size_t> lens_;
  std::vector<InMessage> batch_;
  std::chrono::milliseconds current_timeout_{-1};
  int64_t next_reconnect_ns_ = 0;
  Status last_error_;
  bool ready_ = false;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewConsumer(const ConnectionConfig& config, ConsumerSettings settings) {
  Result<ContextPtr> c = Connect(config);
  if (!c.ok()) return c.status();
  return std::unique_ptr<Consumer>(new RedisConsumer(config, std::move(settings), std::move(c).value()));
}

}  // namespace bakeoff::redis
