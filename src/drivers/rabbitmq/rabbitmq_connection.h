// One AMQP 0-9-1 connection with one channel (rabbitmq-c), owned and used by exactly one thread:
// rabbitmq-c is not thread-safe, so every producer, every consumer and the session's administration get
// their own. Every blocking step is bounded: connect and login by `connect_timeout`, synchronous methods
// by `rpc_timeout`, frame waits by the caller's timeout, and publishes only start when the socket has
// room (HasSendRoom()), so a broker that stopped reading cannot block a send for ever.
//
// Errors: a connection-level failure (socket error, heartbeat timeout, connection.close from the broker)
// makes the connection broken for good: the first reason is kept in failure() and every later call fails
// fast. A channel-level exception (e.g. 406 PRECONDITION_FAILED) only closes the channel, which
// EnsureChannel() reopens.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstddef>
#include <string>

#include "base/status.h"
#include "drivers/rabbitmq/rabbitmq_config.h"

namespace bakeoff {

class AmqpConnection {
 public:
  static constexpr amqp_channel_t kChannel = 1;

  AmqpConnection() = default;
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // Connects and logs in to config.nodes[first_node], then the other nodes in order until one accepts;
  // opens the channel. `name` shows as the connection name in the broker's management tools.
  Status Open(const RabbitMqConfig& config, size_t first_node, const std::string& name);

  amqp_connection_state_t state() const { return state_; }
  bool broken() const { return !failure_.ok(); }
  const Status& failure() const { return failure_; }
  const std::string& address() const { return address_; }

  // Makes the connection broken (the first reason wins) and returns that reason.
  Status Fail(Status why);
  // Turns the reply of the synchronous method just made into a Status starting with `what`. A channel
  // exception closes the channel (close-ok is sent); a connection-level one breaks the connection.
  Status CheckReply(const std::string& what);
  // Turns a rabbitmq-c status code into a Status; socket-level failures break the connection.
  Status CheckCode(int code, const std::string& what);
  // Reopens the channel after a channel exception (no-op while open).
  Status EnsureChannel();
  // Handles a connection.close or channel.close the broker sent outside an RPC; returns the reason.
  Status OnBrokerClose(const amqp_frame_t& frame);

  // Whether a publish of `bytes` may be written now without waiting for the broker to read. Polls the
  // socket only every few KiB written: the kernel reports it writable only with a third of the send
  // buffer free, which covers that much. A failed socket counts as writable (the write then fails fast).
  bool ReadyToSend(size_t bytes);

  // The next frame: waits up to `wait` (with sub-millisecond precision, which rabbitmq-c's own waits
  // lack) for data when none is buffered. AMQP_STATUS_TIMEOUT when none came; heartbeats are served.
  int NextFrame(amqp_frame_t& frame, std::chrono::nanoseconds wait);
  // True if frames or bytes are buffered, i.e. NextFrame(…, 0) will not need the socket.
  bool Buffered() const { return amqp_frames_enqueued(state_) || amqp_data_in_buffer(state_); }

  // A string field of the broker's connection.start server-properties ("version", "product", ...).
  std::string ServerProperty(const char* key) const;

  // Closes channel and connection politely (bounded by rpc_timeout) unless broken. Idempotent.
  void Close();

 private:
  Status TryOpen(const RabbitMqConfig& config, const RabbitNode& node, const std::string& name);
  void Destroy();

  amqp_connection_state_t state_ = nullptr;
  Status failure_;
  bool channel_open_ = false;
  std::string address_;
  size_t unchecked_bytes_ = 0;  // written since the socket was last seen writable
};

// Maps an AMQP reply code (320, 403, 404, 406, ...) to a status code.
StatusCode AmqpReplyCodeToStatus(int reply_code);

// An amqp_bytes_t viewing a std::string (no copy; valid while the string lives).
inline amqp_bytes_t AmqpBytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

}  // namespace bakeoff
