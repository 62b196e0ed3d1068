#include "service/http_server.h"

#include <arpa/inet.h>

#include <fstream>

#include "service/api_json.h"
#include "service/http_server_internal.h"

namespace bakeoff {
namespace {

const char* CodeOfStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 414:
      return "bad_request";
    case 415:
      return "unsupported_media_type";
    case 503:
      return "shutting_down";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

bool IsMutating(const std::string& method) {
  return method != "GET" && method != "HEAD";
}

}  // namespace

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(JsonText(body), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  SendJson(res, status, ErrorJson(code, message));
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

bool TokensEqual(const std::string& expected, const std::string& given) {
  // Every byte of `given` is looked at whatever it holds; the result depends on all of them.
  volatile unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    const unsigned char e = expected.empty() ? 0 : static_cast<unsigned char>(expected[i % expected.size()]);
    diff = diff | (e ^ static_cast<unsigned char>(given[i]));
  }
  return diff == 0 && !expected.empty();
}

Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the token file " + path + " (--token-file / BAKEOFF_TOKEN_FILE)");
  std::string line;
  std::getline(in, line);
  const size_t begin = line.find_first_not_of(" \t\r\n");
  const size_t end = line.find_last_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return InvalidArgument("the token file " + path + " is empty; put the token on its first line");
  return line.substr(begin, end - begin + 1);
}

void ApiServer::Impl::Add(const std::string& method, const std::string& path_template, Handler handler) {
  const std::string regex = path_template == "/*"
                                ? std::string("/.*")
                                : std::regex_replace(path_template, std::regex(R"(\{[a-z_]+\})"), "([^/]+)");
  routes.push_back({method, path_template, std::regex(regex)});
  auto guarded = [this, method, handler = std::move(handler)](const httplib::Request& req,
                                                              httplib::Response& res) {
    if ((IsMutating(method) || !IsLoopbackHost(options.host)) && !Authorized(req)) {
      SendError(res, 401, "unauthorized",
                "this route needs `Authorization: Bearer <token>` (the server's --token-file)");
      return;
    }
    try {
      handler(req, res);
    } catch (const std::exception& e) {
      SendError(res, 500, "internal", std::string("internal error: ") + e.what());
    }
  };
  if (method == "GET") {
    server.Get(regex, guarded);
  } else if (method == "POST") {
    server.Post(regex, guarded);
  } else if (method == "DELETE") {
    server.Delete(regex, guarded);
  }
}

bool ApiServer::Impl::Authorized(const httplib::Request& req) const {
  if (options.token.empty()) return IsLoopbackHost(options.host);
  const std::string header = req.get_header_value("Authorization");
  static const std::string kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) return false;
  return TokensEqual(options.token, header.substr(kBearer.size()));
}

std::string ApiServer::Impl::RouteLabel(const std::string& path) const {
  for (const Route& r : routes) {
    if (r.path_template != "/*" && std::regex_match(path, r.pattern)) return r.path_template;
  }
  return path.rfind("/api/", 0) == 0 ? "/api/other" : "/*";
}

ApiServer::ApiServer(Scheduler& scheduler, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(scheduler, std::move(options))) {}

ApiServer::~ApiServer() {
  Stop();
}

Status ApiServer::Start() {
  Impl& s = *impl_;
  if (!IsLoopbackHost(s.options.host) && s.options.token.empty()) {
    return InvalidArgument("refusing to listen on " + s.options.host +
                           " without a token: give --token-file FILE (or listen on 127.0.0.1)");
  }
  const int threads = s.options.worker_threads;
  s.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.server.set_payload_max_length(s.options.max_body_bytes);
  s.server.set_read_timeout(s.options.read_timeout);
  s.server.set_write_timeout(s.options.write_timeout);
  s.server.set_keep_alive_timeout(5);
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add 40 ms.
  s.server.set_tcp_nodelay(true);
  s.server.set_keep_alive_max_count(1000);
  s.server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string text = res.status == 404   ? "no such route or resource"
                             : res.status == 413 ? "the body is larger than the server's limit (1 MiB)"
                                                 : std::string("HTTP ") + std::to_string(res.status) +
                                                       " (the request could not be read or routed)";
    SendError(res, res.status, CodeOfStatus(res.status), text);
  });
  s.server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        SendError(res, 500, "internal", "internal error");
      });
  // A known path with a method it does not take: 405 with Allow, before routing (which would say 404).
  s.server.set_pre_routing_handler([&s](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) != 0 && req.path != "/metrics")
      return httplib::Server::HandlerResponse::Unhandled;
    std::string allow;
    bool known = false;
    for (const Impl::Route& r : s.routes) {
      if (r.path_template == "/*" || !std::regex_match(req.path, r.pattern)) continue;
      known = true;
      if (r.method == req.method || (req.method == "HEAD" && r.method == "GET"))
        return httplib::Server::HandlerResponse::Unhandled;
      allow += (allow.empty() ? "" : ", ") + r.method;
    }
    if (!known) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("Allow", allow);
    SendError(res, 405, "method_not_allowed", req.method + " is not allowed here; allowed: " + allow);
    return httplib::Server::HandlerResponse::Handled;
  });
  s.server.set_logger([&s](const httplib::Request& req, const httplib::Response& res) {
    const std::string label = s.RouteLabel(req.path);
    std::lock_guard<std::mutex> lock(s.metrics_mutex);
    ++s.requests[{label, req.method, res.status}];
  });
  s.AddExperimentRoutes();
  s.AddServerRoutes();
  s.AddStaticRoutes();

  std::string bind_host = s.options.host;
  if (bind_host == "localhost") bind_host = "127.0.0.1";
  if (bind_host == "[::1]") bind_host = "::1";
  if (s.options.port == 0) {
    s.port = s.server.bind_to_any_port(bind_host);
  } else {
    s.port = s.server.bind_to_port(bind_host, s.options.port) ? s.options.port : -1;
  }
  if (s.port <= 0) {
    return Unavailable("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
                       " (in use, or not an address of this machine)");
  }
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  // stop() before the listener runs would be lost (and accept() would block for ever): wait for it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!s.server.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

int ApiServer::port() const {
  return impl_->port;
}

void ApiServer::Stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  s.scheduler.events().Close();
  s.server.stop();
  if (s.thread.joinable()) s.thread.join();
}

std::vector<std::string> ApiServer::Routes() const {
  std::vector<std::string> out;
  for (const Impl::Route& r : impl_->routes) {
    if (r.path_template != "/*") out.push_back(r.method + " " + r.path_template);
  }
  return out;
}

}  // namespace bakeoff
