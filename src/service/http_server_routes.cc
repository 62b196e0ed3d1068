// Server-wide routes: health, metrics, shutdown, compare, examples, the OpenAPI document, and the
// static web UI.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/compare.h"
#include "service/api_json.h"
#include "service/http_server_internal.h"
#include "service/openapi.h"
#include "service/submission.h"

namespace bakeoff {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::optional<std::string> ReadWholeFile(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* ContentTypeOf(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript";
  if (ext == ".css") return "text/css";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain";
  return "application/octet-stream";
}

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

constexpr const char* kNoUiPage =
    "<!doctype html><html><head><meta charset=utf-8><title>bakeoff serve</title></head><body>"
    "<h1>bakeoff serve</h1><p>The web UI is not built: the web directory has no index.html. Build it into "
    "<code>web/dist</code> (see web/README.md) or start the server with <code>--web DIR</code>.</p>"
    "<p>The API is at <a href=\"/api/v1/health\">/api/v1/health</a>; its description at "
    "<a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p></body></html>";

}  // namespace

void ApiServer::Impl::AddServerRoutes() {
  Add("GET", "/api/v1/health", [this](const httplib::Request&, httplib::Response& res) {
    const std::optional<LiveStatus> live = scheduler.Live();
    auto queued = scheduler.QueuedIds();
    const char* state = scheduler.draining() ? "draining" : live ? "running" : "idle";
    SendJson(res, 200,
             {{"status", "ok"},
              {"server_state", state},
              {"running", live ? json(live->id) : json(nullptr)},
              {"queued", queued.ok() ? queued->size() : 0},
              {"version", options.version}});
  });

  Add("GET", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string out;
    auto queued = scheduler.QueuedIds();
    out += "# HELP bakeoff_queue_depth Experiments waiting to run.\n# TYPE bakeoff_queue_depth gauge\n";
    out += "bakeoff_queue_depth " + std::to_string(queued.ok() ? queued->size() : 0) + "\n";
    out += "# HELP bakeoff_experiments Experiments stored, by state.\n# TYPE bakeoff_experiments gauge\n";
    auto counts = scheduler.queue().CountByState();
    for (int i = 0; i <= static_cast<int>(ExperimentState::kInterrupted); ++i) {
      const std::string name = ExperimentStateName(static_cast<ExperimentState>(i));
      int64_t n = 0;
      if (counts.ok()) {
        for (const auto& [state, count] : *counts) {
          if (state == name) n = count;
        }
      }
      out += "bakeoff_experiments{state=\"" + name + "\"} " + std::to_string(n) + "\n";
    }
    const std::optional<LiveStatus> live = scheduler.Live();
    const bool progress = live && live->progress;
    out += "# HELP bakeoff_running Whether an experiment is running.\n# TYPE bakeoff_running gauge\n";
    out += std::string("bakeoff_running ") + (live ? "1" : "0") + "\n";
    auto gauge = [&](const std::string& name, const std::string& help, double value) {
      out += "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " ";
      std::ostringstream v;
      v << value;
      out += v.str() + "\n";
    };
    gauge("bakeoff_running_sent_msgs_per_second", "The running experiment's send rate over the last second.",
          progress ? live->progress->sent_per_s : 0);
    gauge("bakeoff_running_received_msgs_per_second",
          "The running experiment's receive rate over the last second.",
          progress ? live->progress->received_per_s : 0);
    gauge("bakeoff_running_e2e_p99_seconds",
          "The running experiment's end-to-end p99 latency over the last second.",
          progress ? static_cast<double>(live->progress->e2e_p99_ns) / 1e9 : 0);
    out +=
        "# HELP bakeoff_http_requests_total HTTP requests served, by route and status code.\n"
        "# TYPE bakeoff_http_requests_total counter\n";
    {
      std::lock_guard<std::mutex> lock(metrics_mutex);
      for (const auto& [key, count] : requests) {
        out += "bakeoff_http_requests_total{route=\"" + EscapeLabel(std::get<0>(key)) + "\",method=\"" +
               EscapeLabel(std::get<1>(key)) + "\",code=\"" + std::to_string(std::get<2>(key)) + "\"} " +
               std::to_string(count) + "\n";
      }
    }
    res.set_content(out, "text/plain; version=0.0.4");
  });

  Add("POST", "/api/v1/shutdown", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string when = req.get_param_value("when");
    if (!when.empty() && when != "idle") {
      SendError(res, 400, "bad_request", "when is `idle` (stop after the running experiment) or absent");
      return;
    }
    const ShutdownReply reply = scheduler.RequestShutdown(when == "idle");
    const json running = reply.running_id.empty() ? json(nullptr) : json(reply.running_id);
    switch (reply.kind) {
      case ShutdownReply::kStopNow:
        SendJson(res, 202, {{"state", "stopping"}});
        return;
      case ShutdownReply::kDraining:
        SendJson(res, 202, {{"state", "draining"}, {"running", running}});
        return;
      case ShutdownReply::kBusy: {
        json body = ErrorJson("conflict",
                              "experiment " + reply.running_id +
                                  " is running; nothing new starts from now on; ask again once it has ended");
        body["running"] = running;
        body["eta_s"] = reply.eta_s;
        SendJson(res, 409, body);
        return;
      }
    }
  });

  Add("GET", "/api/v1/compare", [this](const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> ids;
    std::stringstream in(req.get_param_value("ids"));
    for (std::string id; std::getline(in, id, ',');) {
      if (!IsValidExperimentId(id)) {
        SendError(res, 400, "bad_request", "ids is a comma-separated list of experiment ids");
        return;
      }
      ids.push_back(id);
    }
    if (ids.size() < 2 || ids.size() > 10) {
      SendError(res, 400, "bad_request", "compare takes 2 to 10 ids: ?ids=A,B[,C]");
      return;
    }
    std::vector<json> results;
    for (const std::string& id : ids) {
      auto r = scheduler.queue().Get(id);
      Result<json> result = r.ok() && r->has_value() && !(*r)->result_dir.empty()
                                ? LoadResultFile((*r)->result_dir)
                                : Result<json>(NotFound(""));
      if (!result.ok()) {
        SendError(res, 400, "bad_request", "experiment " + id + " has no result to compare");
        return;
      }
      results.push_back(std::move(*result));
    }
    SendJson(res, 200, CompareJson(ids, results));
  });

  Add("GET", "/api/v1/examples", [this](const httplib::Request&, httplib::Response& res) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(options.examples_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".yaml") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    json list = json::array();
    for (const fs::path& f : files) {
      if (std::optional<std::string> text = ReadWholeFile(f))
        list.push_back({{"name", f.filename().string()}, {"text", *text}});
    }
    SendJson(res, 200, {{"examples", list}});
  });

  Add("GET", "/api/v1/openapi.json",
      [](const httplib::Request&, httplib::Response& res) { SendJson(res, 200, OpenApiDocument()); });
}

void ApiServer::Impl::AddStaticRoutes() {
  // Registered last: everything the API routes did not take.
  Add("GET", "/*", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) == 0 || req.path == "/api") {
      SendError(res, 404, "not_found", "no route " + req.path + " (GET /api/v1/openapi.json lists them)");
      return;
    }
    const fs::path root = options.web_dir;
    fs::path relative = fs::path(req.path).relative_path().lexically_normal();
    const bool safe =
        !relative.empty() && relative.string().find("..") == std::string::npos && relative.string()[0] != '.';
    if (safe) {
      if (std::optional<std::string> body = ReadWholeFile(root / relative)) {
        res.set_content(*body, ContentTypeOf(relative));
        if (req.path.rfind("/assets/", 0) == 0)
          res.set_header("Cache-Control", "public, max-age=31536000, immutable");
        return;
      }
    }
    if (req.path.rfind("/assets/", 0) == 0) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    // Client-side routes of the UI all load index.html.
    if (std::optional<std::string> index = ReadWholeFile(root / "index.html")) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(*index, "text/html; charset=utf-8");
      return;
    }
    res.status = req.path == "/" ? 200 : 404;
    res.set_content(kNoUiPage, "text/html; charset=utf-8");
  });
}

}  // namespace bakeoff
