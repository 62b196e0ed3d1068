#include "env/process/tcp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bakeoff {
namespace {

int PollMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::max<int64_t>(0, timeout.count()));
}

}  // namespace

Result<TcpClient> TcpClient::Connect(int port, std::chrono::milliseconds timeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  TcpClient client(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS)
      return Unavailable("connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, PollMs(timeout)) != 1)
      return Timeout("connect 127.0.0.1:" + std::to_string(port) + ": timed out");
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Unavailable("connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(err));
  }
  return client;
}

TcpClient& TcpClient::operator=(TcpClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) close(fd_);
}

Status TcpClient::SendAll(const std::string& data, std::chrono::milliseconds timeout) {
  size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sent < data.size()) {
    const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return Unavailable(std::string("send: ") + std::strerror(errno));
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLOUT, 0};
    if (left.count() <= 0 || poll(&p, 1, PollMs(left)) != 1) return Timeout("send: timed out");
  }
  return Status::Ok();
}

Status TcpClient::ReadSome(std::string& out, std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  const int r = poll(&p, 1, PollMs(timeout));
  if (r == 0) return Timeout("read: timed out; got: " + out);
  if (r < 0 && errno != EINTR) return IoError(std::string("poll: ") + std::strerror(errno));
  char buffer[4096];
  const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
  if (n == 0) return Unavailable("connection closed by the server" + (out.empty() ? "" : "; got: " + out));
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return Status::Ok();
    return Unavailable(std::string("recv: ") + std::strerror(errno));
  }
  out.append(buffer, static_cast<size_t>(n));
  return Status::Ok();
}

}  // namespace bakeoff
