#include "env/process/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "env/process/tcp_client.h"

namespace bakeoff {

namespace {

// The ports handed out most recently, so that two servers started close together never get the same
// one before either has bound it. Bounded: a long-lived server allocates ports for years.
class RecentPorts {
 public:
  bool Insert(int port) {
    if (std::find(ring_.begin(), ring_.end(), port) != ring_.end()) return false;
    ring_[next_] = port;
    next_ = (next_ + 1) % ring_.size();
    return true;
  }

 private:
  std::array<int, 1024> ring_{};
  size_t next_ = 0;
};

}  // namespace

// Thread-safe: one mutex guards the ring of recent ports.
Result<int> AllocateLoopbackPort() {
  static std::mutex mu;
  static RecentPorts handed_out;
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 64; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return IoError(std::string("allocate port: socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int err = errno;
      close(fd);
      return IoError(std::string("allocate port: bind 127.0.0.1:0: ") + std::strerror(err));
    }
    close(fd);
    const int port = ntohs(addr.sin_port);
    if (handed_out.Insert(port)) return port;
  }
  return Unavailable("allocate port: the kernel kept returning ports already handed out");
}

bool LoopbackPortAccepts(int port, std::chrono::milliseconds timeout) {
  Result<TcpClient> client = TcpClient::Connect(port, timeout);
  return client.ok();
}

}  // namespace bakeoff
