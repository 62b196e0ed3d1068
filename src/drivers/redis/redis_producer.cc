// The redis-streams producer: XADD pipelined over one connection. Up to `pipeline` commands are in flight;
// a full window goes onto the wire at once and Send() reports kQueueFull until replies come back, so the
// connection behaves like `redis-benchmark -P <pipeline>` at full speed and sends promptly at low rates
// (every Poll() writes what is buffered). Replies arrive in command order, so tickets wait in a FIFO.
//
// hiredis connects (and authenticates); the pipelined traffic then bypasses it: commands are appended to
// one output buffer and written with send(), replies are scanned in place (an XADD reply is one bulk
// string or an error line), so no reply object is allocated per message.
//
// Waiting for replies: with the window full there is nothing else to do, so the producer blocks in
// recv() on the socket, whose receive timeout is a short slice (kBlockedReadSlice) so that Poll() still
// returns to the runner regularly. A timed ppoll() arms a high-resolution timer per call, which costs
// a VM exit on virtual machines: measured here, it made the client use 3x the CPU of redis-benchmark
// and reach 0.6x its throughput with client and server on one core (bench/vs_native_redis.sh). With the
// window not full (low rates) the producer waits in ppoll() for exactly the time the runner gave it.
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <deque>
#include <exception>
#include <thread>

#include "drivers/redis/redis_clients.h"
#include "measure/clock.h"

namespace bakeoff::redis {
namespace {

constexpr int64_t kReconnectEveryNs = 500'000'000;
constexpr timeval kBlockedReadSlice{.tv_sec = 0, .tv_usec = 20'000};
constexpr size_t kMinRead = 16 * 1024;  // free space kept at the input buffer's end for one recv()
constexpr size_t kMaxLine = 64 * 1024;  // a reply line longer than this is not an XADD reply

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
    SetReadSlice();
  }

  Status Send(const OutMessage& m) override {
    try {
      if (m.stream >= prefixes_.size()) return InvalidArgument("redis: stream outside the layout");
      if (c_ == nullptr) BAKEOFF_RETURN_IF_ERROR(Reconnect());
      if (in_flight_.size() >= settings_.pipeline) {
        BAKEOFF_RETURN_IF_ERROR(WriteOut());
        return QueueFull("redis: pipeline window full");
      }
      char length[24];
      length[0] = '$';
      char* end = std::to_chars(length + 1, length + sizeof(length) - 2, m.payload.size()).ptr;
      *end++ = '\r';
      *end++ = '\n';
      out_ += prefixes_[m.stream];
      out_.append(length, end);
      out_.append(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
      out_ += "\r\n";
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
    while (written_ < out_.size()) {
      const ssize_t n = ::send(c_->fd, out_.data() + written_, out_.size() - written_, MSG_NOSIGNAL);
      if (n > 0) {
        written_ += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // The send timeout (the command timeout) passed with the server not reading.
        return Fail(Timeout("redis: XADD write: the server took nothing within the command timeout"));
      } else {
        return Fail(Unavailable(std::string("redis: XADD write: ") + std::strerror(n < 0 ? errno : EPIPE)));
      }
    }
    out_.clear();
    written_ = 0;
    return Status::Ok();
  }

  void ReadReplies(int64_t wait_ns) {
    if (!DrainReader()) return;
    if (!acked_.empty() || in_flight_.empty()) return DeliverAcks();
    if (in_flight_.size() >= settings_.pipeline && wait_ns > 0) {
      if (!ReadSome(/*block=*/true)) return;
    } else {
      pollfd p{.fd = c_->fd, .events = POLLIN, .revents = 0};
      const timespec ts{.tv_sec = static_cast<time_t>(wait_ns / 1'000'000'000),
                        .tv_nsec = static_cast<long>(wait_ns % 1'000'000'000)};
      if (ppoll(&p, 1, &ts, nullptr) > 0 && !ReadSome(/*block=*/false)) return;
    }
    if (!DrainReader()) return;
    if (acked_.empty() && MonotonicNowNs() - last_reply_ns_ > ToNs(config_.command_timeout)) {
      (void)Fail(Timeout("redis: no XADD reply within the command timeout"));
      return;
    }
    DeliverAcks();
  }

  // Reads what the socket has into hiredis' reply parser; blocks up to kBlockedReadSlice if `block`.
  // False if the connection failed (the in-flight messages then failed).
  bool ReadSome(bool block) {
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    if (in_.size() - in_end_ < kMinRead) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
      if (in_.size() - in_end_ < kMinRead) in_.resize(in_.size() * 2);
    }
    const ssize_t n = ::recv(c_->fd, in_.data() + in_end_, in_.size() - in_end_, block ? 0 : MSG_DONTWAIT);
    if (n > 0) {
      in_end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      (void)Fail(Unavailable("redis: XADD reply: the server closed the connection"));
      return false;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    (void)Fail(Unavailable(std::string("redis: XADD reply: ") + std::strerror(errno)));
    return false;
  }

  // The receive timeout of the producer's socket: a slice, not the command timeout (checked above).
  void SetReadSlice() {
    if (c_ != nullptr)
      (void)setsockopt(c_->fd, SOL_SOCKET, SO_RCVTIMEO, &kBlockedReadSlice, sizeof(kBlockedReadSlice));
  }

  enum class Reply { kIncomplete, kOk, kError, kMalformed };

  // Takes the next complete reply off the input buffer. An error reply's text goes to `error`.
  Reply NextReply(std::string_view& error) {
    const char* begin = in_.data() + in_begin_;
    const size_t available = in_end_ - in_begin_;
    const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', available));
    if (newline == nullptr) return available > kMaxLine ? Reply::kMalformed : Reply::kIncomplete;
    const size_t line = static_cast<size_t>(newline - begin) + 1;  // with CRLF
    if (line < 3 || newline[-1] != '\r') return Reply::kMalformed;
    switch (begin[0]) {
      case '$': {  // bulk string: the new entry's id
        int64_t length = 0;
        const auto [end, ec] = std::from_chars(begin + 1, newline - 1, length);
        if (ec != std::errc() || end != newline - 1 || length < -1) return Reply::kMalformed;
        if (length == -1) {  // nil: no entry was added
          in_begin_ += line;
          error = "nil reply (no entry added)";
          return Reply::kError;
        }
        const size_t total = line + static_cast<size_t>(length) + 2;
        if (available < total) return Reply::kIncomplete;
        in_begin_ += total;
        return Reply::kOk;
      }
      case '+':
      case ':':
        in_begin_ += line;
        return Reply::kOk;
      case '-':
        error = std::string_view(begin + 1, line - 3);
        in_begin_ += line;
        return Reply::kError;
      default:
        return Reply::kMalformed;
    }
  }

  // Moves parsed replies to acked_/OnFailed; false if the connection failed.
  bool DrainReader() {
    bool any = false;
    while (!in_flight_.empty()) {
      std::string_view error;
      const Reply reply = NextReply(error);
      if (reply == Reply::kIncomplete) break;
      if (reply == Reply::kMalformed) {
        (void)Fail(Internal("redis: XADD reply: not a RESP reply to XADD"));
        return false;
      }
      any = true;
      const SendTicket ticket = in_flight_.front();
      in_flight_.pop_front();
      if (reply == Reply::kError) {
        DeliverAcks();  // keep completions in order
        sink_.OnFailed(ticket, Internal("redis: XADD: " + std::string(error)));
      } else {
        acked_.push_back(ticket);
      }
    }
    if (any) last_reply_ns_ = MonotonicNowNs();
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
    out_.clear();
    written_ = 0;
    in_begin_ = in_end_ = 0;
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
    SetReadSlice();
    return Status::Ok();
  }

  static int64_t ToNs(std::chrono::milliseconds d) { return std::chrono::nanoseconds(d).count(); }

  ConnectionConfig config_;
  ProducerSettings settings_;
  CompletionSink& sink_;
  ContextPtr c_;
  std::vector<std::string> prefixes_;  // RESP of the XADD arguments before the payload, per stream
  std::string out_;                    // commands not yet written, from written_ on
  size_t written_ = 0;
  std::vector<char> in_ = std::vector<char>(64 * 1024);  // replies received, [in_begin_, in_end_)
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
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
