#include "env/process/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "env/process/tcp_client.h"

namespace bakeoff {

Result<int> AllocateLoopbackPort() {
  static std::mutex mu;
  static std::set<int> handed_out;
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
    if (handed_out.insert(port).second) return port;
  }
  return Unavailable("allocate port: the kernel kept returning ports already handed out");
}

bool LoopbackPortAccepts(int port, std::chrono::milliseconds timeout) {
  Result<TcpClient> client = TcpClient::Connect(port, timeout);
  return client.ok();
}

}  // namespace bakeoff
