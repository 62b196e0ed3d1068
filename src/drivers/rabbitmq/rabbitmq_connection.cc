#include "drivers/rabbitmq/rabbitmq_connection.h"

#include <amqp_tcp_socket.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>

namespace bakeoff {
namespace {

timeval ToTimeval(std::chrono::nanoseconds d) {
  const auto us = std::max<int64_t>(1000, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

std::string BytesToString(amqp_bytes_t b) {
  return b.bytes == nullptr ? std::string() : std::string(static_cast<const char*>(b.bytes), b.len);
}

bool IsSocketFailure(int code) {
  return code == AMQP_STATUS_CONNECTION_CLOSED || code == AMQP_STATUS_SOCKET_ERROR ||
         code == AMQP_STATUS_SOCKET_CLOSED || code == AMQP_STATUS_HEARTBEAT_TIMEOUT ||
         code == AMQP_STATUS_TCP_ERROR || code == AMQP_STATUS_BAD_AMQP_DATA ||
         code == AMQP_STATUS_UNEXPECTED_STATE || code == AMQP_STATUS_NO_MEMORY;
}

}  // namespace

StatusCode AmqpReplyCodeToStatus(int reply_code) {
  switch (reply_code) {
    case 200:
      return StatusCode::kOk;
    case 402:  // INVALID_PATH (vhost)
    case 404:
      return StatusCode::kNotFound;
    case 403:
      return StatusCode::kUnauthenticated;
    case 405:  // RESOURCE_LOCKED
    case 320:  // CONNECTION_FORCED (broker shutting down)
    case 506:  // RESOURCE_ERROR
    case 530:  // NOT_ALLOWED (e.g. vhost limits)
      return StatusCode::kUnavailable;
    case 406:  // PRECONDITION_FAILED (queue exists with other arguments, ...)
    case 311:  // CONTENT_TOO_LARGE
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

AmqpConnection::~AmqpConnection() {
  Close();
}

Status AmqpConnection::Open(const RabbitMqConfig& config, size_t first_node, const std::string& name) {
  if (config.nodes.empty()) return InvalidArgument("rabbitmq: no broker nodes");
  std::string attempts;
  Status last;
  for (size_t k = 0; k < config.nodes.size(); ++k) {
    const RabbitNode& node = config.nodes[(first_node + k) % config.nodes.size()];
    failure_ = Status::Ok();
    last = TryOpen(config, node, name);
    if (last.ok()) return Status::Ok();
    Destroy();
    if (last.code() == StatusCode::kUnauthenticated || last.code() == StatusCode::kInvalidArgument) break;
    if (!attempts.empty()) attempts += "; ";
    attempts += last.message();
  }
  failure_ = Status(last.code(), config.nodes.size() > 1 && !attempts.empty() ? attempts : last.message());
  return failure_;
}

Status AmqpConnection::TryOpen(const RabbitMqConfig& config, const RabbitNode& node,
                               const std::string& name) {
  address_ = node.host + ":" + std::to_string(node.port);
  const std::string where = "rabbitmq: " + address_;
  state_ = amqp_new_connection();
  if (state_ == nullptr) return Internal(where + ": out of memory");
  amqp_socket_t* socket = amqp_tcp_socket_new(state_);
  if (socket == nullptr) return Internal(where + ": cannot create a socket");
  timeval connect_tv = ToTimeval(config.connect_timeout);
  const int opened = amqp_socket_open_noblock(socket, node.host.c_str(), node.port, &connect_tv);
  if (opened != AMQP_STATUS_OK) {
    return Status(opened == AMQP_STATUS_TIMEOUT ? StatusCode::kTimeout : StatusCode::kUnavailable,
                  where + ": connect: " + amqp_error_string2(opened));
  }
  amqp_set_handshake_timeout(state_, &connect_tv);
  timeval rpc_tv = ToTimeval(config.rpc_timeout);
  amqp_set_rpc_timeout(state_, &rpc_tv);
  Result<RabbitCredentials> credentials = ResolvedCredentials(node);
  if (!credentials.ok()) return credentials.status();
  amqp_table_entry_t property;
  property.key = amqp_cstring_bytes("connection_name");
  property.value.kind = AMQP_FIELD_KIND_UTF8;
  property.value.value.bytes = AmqpBytes(name);
  amqp_table_t properties{1, &property};
  const int heartbeat_s = static_cast<int>(config.heartbeat.count());
  amqp_rpc_reply_t login = amqp_login_with_properties(
      state_, node.vhost.c_str(), 0, static_cast<int>(config.frame_max_bytes), heartbeat_s, &properties,
      AMQP_SASL_METHOD_PLAIN, credentials->username.c_str(), credentials->password.c_str());
  if (login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      login.library_error == AMQP_STATUS_CONNECTION_CLOSED) {
    return Unauthenticated(where +
                           ": the broker closed the connection during login (credentials or vhost "
                           "refused?)");
  }
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    // CheckReply reads the last reply of the connection, which is the login's.
    Status st = CheckReply("login");
    return st.ok() ? Unavailable(where + ": login failed") : st;
  }
  return EnsureChannel();
}

Status AmqpConnection::EnsureChannel() {
  if (broken()) return failure_;
  if (channel_open_) return Status::Ok();
  amqp_channel_open(state_, kChannel);
  BAKEOFF_RETURN_IF_ERROR(CheckReply("channel.open"));
  channel_open_ = true;
  return Status::Ok();
}

Status AmqpConnection::Fail(Status why) {
  if (failure_.ok()) failure_ = std::move(why);
  return failure_;
}

Status AmqpConnection::CheckCode(int code, const std::string& what) {
  if (code == AMQP_STATUS_OK) return Status::Ok();
  const std::string message = "rabbitmq: " + address_ + ": " + what + ": " + amqp_error_string2(code);
  if (IsSocketFailure(code)) return Fail(Unavailable(message));
  if (code == AMQP_STATUS_TIMEOUT) return Timeout(message);
  return Internal(message);
}

Status AmqpConnection::CheckReply(const std::string& what) {
  if (broken()) return failure_;
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(state_);
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return Status::Ok();
    case AMQP_RESPONSE_NONE:
      return Internal("rabbitmq: " + what + ": no reply");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      // A synchronous method that timed out leaves the connection closed (rabbitmq-c's contract).
      if (reply.library_error == AMQP_STATUS_TIMEOUT) {
        return Fail(Timeout("rabbitmq: " + address_ + ": " + what + ": no answer within rpc_timeout"));
      }
      return Fail(Unavailable("rabbitmq: " + address_ + ": " + what + ": " +
                              amqp_error_string2(reply.library_error)));
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      amqp_frame_t frame;
      frame.frame_type = AMQP_FRAME_METHOD;
      frame.channel = reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD ? kChannel : 0;
      frame.payload.method = reply.reply;
      Status why = OnBrokerClose(frame);
      return Status(why.code(), "rabbitmq: " + what + ": " + why.message());
    }
  }
  return Internal("rabbitmq: " + what + ": unknown reply");
}

Status AmqpConnection::OnBrokerClose(const amqp_frame_t& frame) {
  const amqp_method_t& method = frame.payload.method;
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD && method.decoded != nullptr) {
    const auto* m = static_cast<const amqp_channel_close_t*>(method.decoded);
    Status why(AmqpReplyCodeToStatus(m->reply_code),
               "channel closed by the broker: " + std::to_string(m->reply_code) + " " +
                   BytesToString(m->reply_text));
    amqp_channel_close_ok_t ok{};
    (void)amqp_send_method(state_, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
    return why;
  }
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD && method.decoded != nullptr) {
    const auto* m = static_cast<const amqp_connection_close_t*>(method.decoded);
    StatusCode code = AmqpReplyCodeToStatus(m->reply_code);
    if (code == StatusCode::kOk || code == StatusCode::kInternal) code = StatusCode::kUnavailable;
    Status why(code, "rabbitmq: " + address_ + ": connection closed by the broker: " +
                         std::to_string(m->reply_code) + " " + BytesToString(m->reply_text));
    amqp_connection_close_ok_t ok{};
    (void)amqp_send_method(state_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
    return Fail(why);
  }
  return Internal("rabbitmq: unexpected method " + std::to_string(method.id));
}

bool AmqpConnection::ReadyToSend(size_t bytes) {
  constexpr size_t kUncheckedBytes = 4096;
  if (state_ == nullptr) return false;
  if (unchecked_bytes_ + bytes <= kUncheckedBytes) {
    unchecked_bytes_ += bytes;
    return true;
  }
  pollfd p{amqp_get_sockfd(state_), POLLOUT, 0};
  if (p.fd >= 0 && ::poll(&p, 1, 0) == 0) return false;
  unchecked_bytes_ = bytes;
  return true;
}

int AmqpConnection::NextFrame(amqp_frame_t& frame, std::chrono::nanoseconds wait) {
  if (wait.count() > 0 && !Buffered()) {
    pollfd p{amqp_get_sockfd(state_), POLLIN, 0};
    const timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000),
                      static_cast<long>(wait.count() % 1'000'000'000)};
    if (p.fd >= 0) (void)::ppoll(&p, 1, &ts, nullptr);
  }
  timeval immediately{0, 0};
  return amqp_simple_wait_frame_noblock(state_, &frame, &immediately);
}

std::string AmqpConnection::ServerProperty(const char* key) const {
  if (state_ == nullptr) return {};
  const amqp_table_t* table = amqp_get_server_properties(state_);
  if (table == nullptr) return {};
  for (int i = 0; i < table->num_entries; ++i) {
    const amqp_table_entry_t& e = table->entries[i];
    if (BytesToString(e.key) != key) continue;
    if (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES) {
      return BytesToString(e.value.value.bytes);
    }
  }
  return {};
}

void AmqpConnection::Close() {
  if (state_ == nullptr) return;
  if (!broken() && ReadyToSend(1 << 20)) {
    // Teardown must not wait long for a broker that is going away.
    const timeval short_tv{2, 0};
    amqp_set_rpc_timeout(state_, &short_tv);
    if (channel_open_) (void)amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
    if (ReadyToSend(1 << 20)) (void)amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  }
  Destroy();
  (void)Fail(Cancelled("rabbitmq: connection closed"));
}

void AmqpConnection::Destroy() {
  if (state_ != nullptr) amqp_destroy_connection(state_);
  state_ = nullptr;
  channel_open_ = false;
}

}  // namespace bakeoff
