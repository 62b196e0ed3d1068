// The redis-streams producer: XADD pipelined over one connection. Up to `pipeline` commands are in flight;
// a full window goes onto the wire at once and Send() reports kQueueFull until replies come back, so the
// connection behaves like `redis-benchmark -P <pipeline>` at full speed and sends promptly at low rates
// (every Poll() writes what is buffered). Replies arrive in command order, so tickets wait in a FIFO.
#include <poll.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <thread>

#include "drivers/redis/redis_clients.h"
#include "measure/clock.h"

namespace bakeoff::redis {
namespace {

constexpr int64_t kReconnectEveryNs = 500'000'000;

class RedisProducer final : public Producer {
 public:
  RedisProducer(const ConnectionConfig& config, ProducerSettings settings, CompletionSink& sink, ContextPtr c)
      : config_(config), settings_(std::move(settings)), sink_(sink), c_(std::move(c)) {
    // Each command is RESP text formatted here once per stream up to the payload, so a send appends the
    // prefix, the payload's length and the payload to one buffer (no per-command formatting by hiredis).
    const std::string maxlen = std::to_string(settings_.maxlen);
    for (const std::string& key : settings_.keys) {
      std::vector<std::string> args = {"XADD", key};
      if (settings_.maxlen > 0) args.insert(args.end(), {"MAXLEN", "~", maxlen});
      args.insert(args.end(), {"*", "d"});
      std::string prefix = "*" + std::to_string(args.size() + 1) + "\r\n";
      for (const std::string& a : args) prefix += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
      prefixes_.push_back(std::move(prefix));
    }
    acked_.reserve(settings_.pipeline);
    last_reply_ns_ = MonotonicNowNs();
  }

  Status Send(const OutMessage& m) override {
    try {
      if (m.stream >= prefixes_.size()) return InvalidArgument("redis: stream outside the layout");
      if (c_ == nullptr) BAKEOFF_RETURN_IF_ERROR(Reconnect());
      if (in_flight_.size() >= settings_.pipeline) {
        BAKEOFF_RETURN_IF_ERROR(WriteOut());
        return QueueFull("redis: pipeline window full");
      }
      command_ = prefixes_[m.stream];
      command_ += '$';
      command_ += std::to_string(m.payload.size());
      command_ += "\r\n";
      command_.append(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
      command_ += "\r\n";
      if (redisAppendFormattedCommand(c_.get(), command_.data(), command_.size()) != REDIS_OK) {
        return Internal("redis: cannot append XADD");
      }
      if (in_flight_.empty()) last_reply_ns_ = MonotonicNowNs();
      in_flight_.push_back(m.ticket);
      // A failed write reports this message through OnFailed already, so Send itself succeeded.
      if (in_flight_.size() >= settings_.pipeline) (void)WriteOut();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Internal(std::string("redis: send: ") + e.what());
    }
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    try {
      if (c_ == nullptr || in_flight_.empty()) {
        if (max_wait.count() > 0)
          std::this_thread::sleep_for(std::min(max_wait, std::chrono::nanoseconds(1'000'000)));
        return;
      }
      if (!WriteOut().ok()) return;
      ReadReplies(max_wait.count());
    } catch (const std::exception&) {
      // Nothing may leave the driver; the connection state tells the next call what happened.
    }
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    const int64_t deadline = MonotonicNowNs() + timeout.count();
    while (c_ != nullptr && !in_flight_.empty()) {
      const int64_t left = deadline - MonotonicNowNs();
      if (left <= 0)
        return Timeout("redis: " + std::to_string(in_flight_.size()) + " XADD replies outstanding");
      Poll(std::chrono::nanoseconds(std::min<int64_t>(left, 50'000'000)));
    }
    return Status::Ok();
  }

 private:
  Status WriteOut() {
    int done = 0;
    while (!done) {
      if (redisBufferWrite(c_.get(), &done) != REDIS_OK) return Fail(ContextError(c_.get(), "XADD write"));
    }
    return Status::Ok();
  }

  void ReadReplies(int64_t wait_ns) {
    if (!DrainReader()) return;
    if (!acked_.empty() || in_flight_.empty()) return DeliverAcks();
    pollfd p{.fd = c_->fd, .events = POLLIN, .revents = 0};
    const timespec ts{.tv_sec = static_cast<time_t>(wait_ns / 1'000'000'000),
                      .tv_nsec = static_cast<long>(wait_ns % 1'000'000'000)};
    const int ready = ppoll(&p, 1, &ts, nullptr);
    if (ready > 0) {
      if (redisBufferRead(c_.get()) != REDIS_OK) {
        (void)Fail(ContextError(c_.get(), "XADD reply"));
        return;
      }
      if (!DrainReader()) return;
    } else if (MonotonicNowNs() - last_reply_ns_ > ToNs(config_.command_timeout)) {
      (void)Fail(Timeout("redis: no XADD reply within the command timeout"));
      return;
    }
    DeliverAcks();
  }

  // Moves parsed replies to acked_/OnFailed; false if the connection failed.
  bool DrainReader() {
    void* raw = nullptr;
    while (!in_flight_.empty()) {
      if (redisGetReplyFromReader(c_.get(), &raw) != REDIS_OK) {
        (void)Fail(ContextError(c_.get(), "XADD reply"));
        return false;
      }
      if (raw == nullptr) break;
      ReplyPtr reply(static_cast<redisReply*>(raw));
      last_reply_ns_ = MonotonicNowNs();
      const SendTicket ticket = in_flight_.front();
      in_flight_.pop_front();
      if (reply->type == REDIS_REPLY_ERROR) {
        DeliverAcks();  // keep completions in order
        sink_.OnFailed(ticket, Internal("redis: XADD: " + std::string(reply->str, reply->len)));
      } else {
        acked_.push_back(ticket);
      }
    }
    return true;
  }

  void DeliverAcks() {
    if (acked_.empty()) return;
    sink_.OnAcked(acked_);
    acked_.clear();
  }

  // The connection is unusable: every message in flight failed. Returns `why` for the caller.
  Status Fail(Status why) {
    DeliverAcks();
    for (const SendTicket& t : in_flight_) sink_.OnFailed(t, why);
    in_flight_.clear();
    c_.reset();
    next_reconnect_ns_ = MonotonicNowNs() + kReconnectEveryNs;
    last_error_ = why;
    return why;
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
    return Status::Ok();
  }

  static int64_t ToNs(std::chrono::milliseconds d) { return std::chrono::nanoseconds(d).count(); }

  ConnectionConfig config_;
  ProducerSettings settings_;
  CompletionSink& sink_;
  ContextPtr c_;
  std::vector<std::string> prefixes_;  // RESP of the XADD arguments before the payload, per stream
  std::string command_;
  std::deque<SendTicket> in_flight_;
  std::vector<SendTicket> acked_;
  int64_t last_reply_ns_ = 0;
  int64_t next_reconnect_ns_ = 0;
  Status last_error_;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewProducer(const ConnectionConfig& config, ProducerSettings settings,
                                              CompletionSink& sink) {
  Result<ContextPtr> c = Connect(config);
  if (!c.ok()) return c.status();
  return std::unique_ptr<Producer>(
      new RedisProducer(config, std::move(settings), sink, std::move(c).value()));
}

}  // namespace bakeoff::redis
