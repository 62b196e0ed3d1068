// A bounded fuzz test of the HTTP layer: 1,000 malformed requests (bodies, paths, headers, methods, huge
// and truncated bodies) sent over raw loopback sockets. Each must get a 4xx with a JSON error body;
// none a 5xx, and the server must still answer afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <fstream>
#include <random>

#include "service/testing/service_fixture.h"

namespace bakeoff::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "fuzz-token";

struct Reply {
  int status = 0;
  std::string body;
  std::string raw_start;  // for failure messages
};

// Sends `request` raw and reads one reply (5 s at most). The socket is not half-closed: cpp-httplib
// takes a half-closed client for gone and would not answer; a truncated body is found by the server's
// read timeout instead.
Reply SendRaw(int port, const std::string& request) {
  Reply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return reply;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buffer[16384];
  while (true) {
    const size_t header_end = raw.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      const size_t cl = raw.find("Content-Length: ");
      if (cl != std::string::npos && cl < header_end) {
        const size_t length = std::strtoul(raw.c_str() + cl + 16, nullptr, 10);
        if (raw.size() >= header_end + 4 + length) break;
      }
    }
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  reply.raw_start =
      raw.substr(0, 120) + " (" + std::to_string(raw.size()) + " bytes, errno " + std::to_string(errno) + ")";
  if (raw.rfind("HTTP/1.1 ", 0) == 0 && raw.size() >= 12) reply.status = std::atoi(raw.substr(9, 3).c_str());
  const size_t header_end = raw.find("\r\n\r\n");
  if (header_end != std::string::npos) reply.body = raw.substr(header_end + 4);
  return reply;
}

class Fuzzer {
 public:
  explicit Fuzzer(uint32_t seed) : random_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  std::string Bytes(int n, bool printable) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>(printable ? Int(32, 126) : Int(0, 255));
    return s;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }

 private:
  std::mt19937 random_;
};

std::string Post(const std::string& path, const std::string& body, const std::string& type,
                 bool auth = true) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         (auth ? std::string("Authorization: Bearer ") + kToken + "\r\n" : "") + "Content-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string Get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "Connection: close\r\n\r\n";
}

// The i-th malformed request, by category.
std::string MalformedRequest(Fuzzer& f, int i) {
  static const std::vector<std::string> kYamlNoise = {
      "name: [",
      "{{{{",
      "systems: 5",
      "- - - -",
      "name: x\nsystems: []\n",
      "workload: {rate: -1}",
      "name: x\nsystems:\n  - driver: memory\n",
      "\t\ttabs: here",
      "name: \"unterminated",
      "&a [*a]",
      "name: x\nsystems:\n  - name: m\n    driver: memory\nworkload:\n  rate: 10 per fortnight\n",
      "\xef\xbb\xbf\xff\xfe name: bad-utf8 \xc3\x28",
      "? complex\n: key",
      "%YAML 9.9\n---\n"};
  static const std::vector<std::string> kTypes = {"application/yaml", "application/json", "text/yaml",
                                                  "application/x-yaml"};
  static const std::vector<std::string> kApiPaths = {
      "/api/v1/experiments/",        "/api/v1/experiments/x/result",
      "/api/v1/experiments/x/hlog/", "/api/v1/compare?ids=",
      "/api/v1/experiments?limit=",  "/api/v1/experiments?state=",
      "/api/v1/experiments?cursor=", "/api/v1/",
      "/api/v1/experiments/%2e%2e/", "/api/v2/"};
  switch (i % 10) {
    case 0:  // random bytes as an experiment
      return Post("/api/v1/experiments", f.Bytes(f.Int(1, 2000), false), f.Pick(kTypes));
    case 1: {  // YAML/JSON noise, spliced
      std::string body = f.Pick(kYamlNoise) + f.Bytes(f.Int(0, 40), true) + f.Pick(kYamlNoise);
      if (f.Int(0, 3) == 0) body = std::string(static_cast<size_t>(f.Int(100, 5000)), '[');
      return Post("/api/v1/experiments", body, f.Pick(kTypes));
    }
    case 2: {  // paths: bad ids, traversal, junk parameters, encodings
      std::string suffix = f.Bytes(f.Int(1, 30), true);
      for (char& c : suffix) {
        if (c == ' ' || c == '#' || c == '?') c = '%';
      }
      return Get(f.Pick(kApiPaths) + suffix);
    }
    case 3:  // over-long paths
      return Get("/api/v1/experiments/" + std::string(static_cast<size_t>(f.Int(200, 20000)), 'a'));
    case 4: {  // broken headers
      const std::vector<std::string> headers = {
          "Content-Length: abc\r\n",
          "Content-Length: -5\r\n",
          "NoColonHeader\r\n",
          "X-Huge: " + std::string(static_cast<size_t>(f.Int(9000, 20000)), 'h') + "\r\n",
          "Transfer-Encoding: chunked\r\n",
          "Authorization: Bearer\r\n",
          "Authorization: Basic " + f.Bytes(20, true) + "\r\n",
          ": empty-name\r\n"};
      const std::string h = f.Pick(headers);
      if (h.rfind("Transfer-Encoding", 0) == 0) {
        return "POST /api/v1/experiments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               std::string(kToken) + "\r\nContent-Type: application/yaml\r\nConnection: close\r\n" + h +
               "\r\nzz\r\nnot-hex\r\n";
      }
      if (h.rfind("Authorization", 0) == 0) {
        return "POST /api/v1/experiments HTTP/1.1\r\nHost: x\r\n" + h +
               "Content-Type: application/yaml\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
      }
      return "POST /api/v1/experiments HTTP/1.1\r\nHost: x\r\n" + h + "Connection: close\r\n\r\n";
    }
    case 5: {  // methods the API does not take, and ones that do not exist
      const std::vector<std::string> methods = {"PUT", "PATCH", "OPTIONS", "FOO", "get", "P0ST", "DELETE"};
      const std::vector<std::string> paths = {"/api/v1/health", "/api/v1/experiments", "/api/v1/compare",
                                              "/metrics", "/api/v1/shutdown"};
      const std::string m = f.Pick(methods);
      const std::string p = m == "DELETE" ? "/api/v1/experiments" : f.Pick(paths);
      return m + " " + p + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    }
    case 6: {  // huge bodies, declared (only a part sent)
      const size_t declared = static_cast<size_t>(f.Int(1 << 20, 64 << 20)) + 1;
      return "POST /api/v1/experiments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
             "\r\nContent-Type: application/yaml\r\nContent-Length: " + std::to_string(declared) +
             "\r\nConnection: close\r\n\r\n" + std::string(static_cast<size_t>(f.Int(0, 200000)), 'x');
    }
    case 7: {  // truncated bodies: fewer bytes than declared, then the client half-closes
      const std::string body = "name: truncated\nsystems:\n  - name: m\n    driver: memory\n";
      return "POST /api/v1/experiments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
             "\r\nContent-Type: application/yaml\r\nContent-Length: " +
             std::to_string(body.size() + f.Int(1, 5000)) + "\r\nConnection: close\r\n\r\n" +
             body.substr(0, static_cast<size_t>(f.Int(0, static_cast<int>(body.size()))));
    }
    case 8:  // valid framing, wrong media type / query values / empty body
      switch (f.Int(0, 3)) {
        case 0:
          return Post("/api/v1/experiments", "name: x\n",
                      f.Pick(std::vector<std::string>{"text/plain", "image/png", "a/b; x=y"}));
        case 1:
          return Post("/api/v1/experiments?dry_run=" + f.Bytes(3, true).substr(0, 1) + "x", "name: x\n",
                      "application/yaml");
        case 2:
          return Post("/api/v1/shutdown?when=" + std::to_string(f.Int(0, 99)), "", "application/json");
        default:
          return Post("/api/v1/experiments", "", "application/yaml");
      }
    default:  // mutating routes without the token, and unknown ids
      if (f.Int(0, 1) == 0) return Post("/api/v1/experiments", "name: x\n", "application/yaml", false);
      return "DELETE /api/v1/experiments/" + std::string(f.Int(0, 1) ? "unknown-id" : ".hidden") +
             " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken + "\r\nConnection: close\r\n\r\n";
  }
}

class HttpFuzzTest : public ServiceFixture {};

TEST_F(HttpFuzzTest, ThousandMalformedRequestsEachGetA4xxJsonError) {
  read_timeout_ = std::chrono::seconds(1);
  StartServer(kToken, /*start_scheduler=*/false);
  Fuzzer fuzzer(20261206);
  std::vector<std::string> requests;
  for (int i = 0; i < 1000; ++i) requests.push_back(MalformedRequest(fuzzer, i));
  // Eight clients at once (truncated bodies each wait out the server's 1 s read timeout).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  std::vector<Reply> replies(requests.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (size_t i;
           (i = next.fetch_add(1)) < requests.size() && std::chrono::steady_clock::now() < deadline;)
        replies[i] = SendRaw(server_->port(), requests[i]);
    });
  }
  for (std::thread& t : clients) t.join();
  int sent = 0;
  std::map<int, int> by_status;
  for (size_t i = 0; i < requests.size(); ++i, ++sent) {
    const Reply& reply = replies[i];
    const std::string& request = requests[i];
    ++by_status[reply.status];
    const std::string shown = request.substr(0, 160);
    EXPECT_GE(reply.status, 400) << "case " << i << ": " << shown << "\n-> " << reply.raw_start;
    EXPECT_LT(reply.status, 500) << "case " << i << ": " << shown << "\n" << reply.body;
    const json body = json::parse(reply.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error") && body["error"].contains("code"))
        << "case " << i << " (" << reply.status << "): " << shown << "\n-> " << reply.body.substr(0, 200);
  }
  EXPECT_EQ(sent, 1000);
  for (const auto& [status, count] : by_status) std::printf("  HTTP %d: %d\n", status, count);
  // Nothing was queued and the server still answers.
  EXPECT_EQ(GetJson("/api/v1/experiments")["experiments"].size(), 0u);
  EXPECT_EQ(GetJson("/api/v1/health")["status"], "ok");
}

}  // namespace
}  // namespace bakeoff::testing
