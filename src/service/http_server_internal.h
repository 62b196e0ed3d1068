// Internal to the HTTP layer: the state the route files share.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "service/http_server.h"

namespace bakeoff {

struct ApiServer::Impl {
  Scheduler& scheduler;
  ApiServerOptions options;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> stopping{false};

  struct Route {
    std::string method;
    std::string path_template;  // "/api/v1/experiments/{id}"
    std::regex pattern;
  };
  std::vector<Route> routes;

  // HTTP requests by (route, method, code), for /metrics.
  std::mutex metrics_mutex;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests;

  Impl(Scheduler& s, ApiServerOptions o) : scheduler(s), options(std::move(o)) {}

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Registers `handler` for `method` and `path_template` ({name} segments match [^/]+), with the auth
  // check in front of it.
  void Add(const std::string& method, const std::string& path_template, Handler handler);
  bool Authorized(const httplib::Request& req) const;
  std::string RouteLabel(const std::string& path) const;

  void AddExperimentRoutes();
  void AddServerRoutes();
  void AddStaticRoutes();
};

// Writes `body` as the JSON response.
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
void SendError(httplib::Response& res, int status, const std::string& code, const std::string& message);
// The JSON text of `j`, invalid UTF-8 replaced (bodies and specs are user input).
std::string JsonText(const nlohmann::json& j);

}  // namespace bakeoff
