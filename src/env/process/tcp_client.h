// A blocking TCP client to 127.0.0.1 with deadlines, for protocol-level health checks (RESP PING, NATS
// PING, MQTT CONNACK, an HTTP POST). Not for load: drivers use their own client libraries.
#pragma once

#include <chrono>
#include <string>

#include "base/status.h"

namespace bakeoff {

class TcpClient {
 public:
  static Result<TcpClient> Connect(int port, std::chrono::milliseconds timeout);
  TcpClient(TcpClient&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TcpClient& operator=(TcpClient&& other) noexcept;
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;
  ~TcpClient();

  Status SendAll(const std::string& data, std::chrono::milliseconds timeout);
  // Reads until `done(received)` is true, the peer closes, or `timeout` passes.
  template <typename Pred>
  Result<std::string> ReadUntil(Pred done, std::chrono::milliseconds timeout) {
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(received)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Timeout("no complete answer within the deadline; got: " + received);
      BAKEOFF_RETURN_IF_ERROR(ReadSome(received, left));
    }
    return received;
  }

 private:
  explicit TcpClient(int fd) : fd_(fd) {}
  // Appends what arrives within `timeout`; Unavailable when the peer closed.
  Status ReadSome(std::string& out, std::chrono::milliseconds timeout);
  int fd_ = -1;
};

}  // namespace bakeoff
