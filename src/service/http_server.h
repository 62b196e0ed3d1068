// The HTTP layer of `bakeoff serve` (docs/api-v1.md): thin over the Scheduler and its queue. Built on
// cpp-httplib (Debian's libcpp-httplib-dev): its thread-pool server, its chunked content provider for
// Server-Sent Events; no HTTP parsing here.
//
// Threads: Start()/Stop() from one thread; requests are served on the library's worker threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/status.h"
#include "service/scheduler.h"

namespace bakeoff {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;    // 0: any free port (see ApiServer::port())
  std::string token;  // bearer token; empty: none (then only loopback is allowed)
  std::string web_dir;       // the built web UI (index.html, assets/)
  std::string examples_dir;  // *.yaml listed by GET /api/v1/examples
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  int worker_threads = 16;  // includes long-lived SSE streams
  std::string version;
};

// 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);
// Compares in time that depends only on the lengths, never on where the first difference is.
bool TokensEqual(const std::string& expected, const std::string& given);
// Reads a token file: the first line, surrounding whitespace removed. Empty or unreadable: an error
// that names the file (never the content).
Result<std::string> ReadTokenFile(const std::string& path);

class ApiServer {
 public:
  ApiServer(Scheduler& scheduler, ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and serves on a thread of its own. Refuses a non-loopback host without a token.
  Status Start();
  int port() const;
  // Stops accepting, ends SSE streams, joins. Idempotent.
  void Stop();

  // The routes registered, as "METHOD /api/v1/experiments/{id}" (for the OpenAPI check).
  std::vector<std::string> Routes() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bakeoff
