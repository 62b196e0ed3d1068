// /api/v1/experiments...: submit, list, detail, events (SSE), result files, cancel.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/api_json.h"
#include "service/http_server_internal.h"
#include "service/submission.h"

namespace bakeoff {
namespace {

using nlohmann::json;

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The media type without parameters, lower-cased.
std::string MediaType(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

json DiagnosticsJson(const std::vector<Diagnostic>& diagnostics) {
  json errors = json::array();
  for (const Diagnostic& d : diagnostics) {
    errors.push_back({{"line", d.location.line},
                      {"column", d.location.column},
                      {"path", d.field_path},
                      {"message", d.message},
                      {"suggestion", d.suggestion}});
  }
  return errors;
}

std::optional<int> PositionOf(const std::vector<std::string>& queued, const std::string& id) {
  for (size_t i = 0; i < queued.size(); ++i) {
    if (queued[i] == id) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

bool ParseInt(const std::string& text, int64_t min, int64_t max, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return false;
  *out = v;
  return true;
}

std::string SseEvent(const ServiceEvent& e) {
  return "event: " + e.type + "\ndata: " + e.data + "\n\n";
}

}  // namespace

void ApiServer::Impl::AddExperimentRoutes() {
  Add("POST", "/api/v1/experiments", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string type = MediaType(req);
    std::string format;
    if (type.empty() || type == "application/yaml" || type == "text/yaml" || type == "application/x-yaml") {
      format = "yaml";
    } else if (type == "application/json") {
      format = "json";
    } else {
      SendError(res, 415, "unsupported_media_type",
                "send the experiment as application/yaml (or application/json), not " + type);
      return;
    }
    const std::string dry = req.get_param_value("dry_run");
    if (!dry.empty() && dry != "true" && dry != "false") {
      SendError(res, 400, "bad_request", "dry_run is true or false");
      return;
    }
    if (req.body.empty()) {
      SendError(res, 400, "invalid_experiment", "the body is empty: send an experiment file");
      return;
    }
    ParseOutcome parsed = ParseSubmission(req.body, "experiment." + format);
    if (!parsed.ok()) {
      json body = ErrorJson("invalid_experiment", std::to_string(parsed.diagnostics.size()) +
                                                      " problem(s) in the experiment; nothing was queued");
      body["errors"] = DiagnosticsJson(parsed.diagnostics);
      SendJson(res, 400, body);
      return;
    }
    if (dry == "true") {
      int runs = static_cast<int>(parsed.experiment.systems.size()) * std::max(1, parsed.experiment.repeat);
      SendJson(res, 200, {{"ok", true}, {"systems", parsed.experiment.systems.size()}, {"runs", runs}});
      return;
    }
    if (scheduler.draining()) {
      SendError(res, 503, "shutting_down", "the server is shutting down and accepts no new experiments");
      return;
    }
    Result<ExperimentRecord> stored = scheduler.Submit(req.body, format, parsed.experiment);
    if (!stored.ok()) {
      if (stored.status().code() == StatusCode::kQueueFull) {
        SendError(res, 503, "queue_full", stored.status().message());
      } else {
        SendError(res, 500, "internal", stored.status().message());
      }
      return;
    }
    std::optional<int> position;
    if (auto queued = scheduler.QueuedIds(); queued.ok()) position = PositionOf(*queued, stored->id);
    res.set_header("Location", "/api/v1/experiments/" + stored->id);
    SendJson(
        res, 201,
        {{"id", stored->id}, {"state", "queued"}, {"position", position ? json(*position) : json(nullptr)}});
  });

  Add("GET", "/api/v1/experiments", [this](const httplib::Request& req, httplib::Response& res) {
    ExperimentListQuery query;
    if (req.has_param("state")) {
      query.state = ParseExperimentState(req.get_param_value("state"));
      if (!query.state) {
        SendError(res, 400, "bad_request",
                  "state must be one of queued, provisioning, running, tearing_down, "
                  "succeeded, failed, threshold_failed, not_sustained, cancelled, interrupted");
        return;
      }
    }
    query.name = req.get_param_value("name");
    query.system = req.get_param_value("system");
    int64_t value = 0;
    if (req.has_param("limit")) {
      if (!ParseInt(req.get_param_value("limit"), 1, 500, &value)) {
        SendError(res, 400, "bad_request", "limit is a whole number from 1 to 500");
        return;
      }
      query.limit = static_cast<int>(value);
    }
    if (req.has_param("cursor")) {
      if (!ParseInt(req.get_param_value("cursor"), 1, INT64_MAX / 16, &value)) {
        SendError(res, 400, "bad_request", "cursor is the next_cursor of a previous page");
        return;
      }
      query.before_seq = value;
    }
    Result<ExperimentPage> page = scheduler.queue().List(query);
    Result<std::vector<std::string>> queued = scheduler.QueuedIds();
    if (!page.ok() || !queued.ok()) {
      SendError(res, 500, "internal", (page.ok() ? queued.status() : page.status()).message());
      return;
    }
    const std::optional<LiveStatus> live = scheduler.Live();
    const int64_t now = scheduler.Now();
    json list = json::array();
    for (const ExperimentRecord& r : page->experiments)
      list.push_back(SummaryJson(r, PositionOf(*queued, r.id), live ? &*live : nullptr, now));
    SendJson(res, 200,
             {{"experiments", list},
              {"next_cursor",
               page->next_before_seq > 0 ? json(std::to_string(page->next_before_seq)) : json(nullptr)}});
  });

  // Looks up the {id} of the request; sends 400/404 itself when there is none.
  auto find = [this](const httplib::Request& req, httplib::Response& res) -> std::optional<ExperimentRecord> {
    const std::string id = req.matches.size() > 1 ? req.matches[1].str() : "";
    if (!IsValidExperimentId(id)) {
      SendError(res, 400, "bad_request",
                "an experiment id is 1-128 of [A-Za-z0-9._-], not starting with a dot");
      return std::nullopt;
    }
    Result<std::optional<ExperimentRecord>> r = scheduler.queue().Get(id);
    if (!r.ok()) {
      SendError(res, 500, "internal", r.status().message());
      return std::nullopt;
    }
    if (!r->has_value()) {
      SendError(res, 404, "not_found", "no experiment " + id + " (GET /api/v1/experiments lists them)");
      return std::nullopt;
    }
    return std::move(**r);
  };
  auto position_of = [this](const ExperimentRecord& r) -> std::optional<int> {
    if (r.state != ExperimentState::kQueued) return std::nullopt;
    auto queued = scheduler.QueuedIds();
    return queued.ok() ? PositionOf(*queued, r.id) : std::nullopt;
  };

  Add("GET", "/api/v1/experiments/{id}",
      [this, find, position_of](const httplib::Request& req, httplib::Response& res) {
        std::optional<ExperimentRecord> r = find(req, res);
        if (!r) return;
        const std::optional<LiveStatus> live = scheduler.Live();
        SendJson(res, 200, DetailJson(*r, position_of(*r), live ? &*live : nullptr, scheduler.Now()));
      });

  Add("DELETE", "/api/v1/experiments/{id}",
      [this, find, position_of](const httplib::Request& req, httplib::Response& res) {
        std::optional<ExperimentRecord> r = find(req, res);
        if (!r) return;
        Result<CancelOutcome> outcome = scheduler.Cancel(r->id);
        if (!outcome.ok()) {
          SendError(res, 500, "internal", outcome.status().message());
          return;
        }
        if (*outcome == CancelOutcome::kAlreadyTerminal) {
          SendError(res, 409, "conflict",
                    "experiment " + r->id + " has ended (" + ExperimentStateName(r->state) + ")");
          return;
        }
        if (*outcome == CancelOutcome::kNotFound) {
          SendError(res, 404, "not_found", "no experiment " + r->id);
          return;
        }
        Result<std::optional<ExperimentRecord>> now = scheduler.queue().Get(r->id);
        const std::optional<LiveStatus> live = scheduler.Live();
        const ExperimentRecord& current = now.ok() && now->has_value() ? **now : *r;
        SendJson(res, *outcome == CancelOutcome::kCancelledQueued ? 200 : 202,
                 SummaryJson(current, position_of(current), live ? &*live : nullptr, scheduler.Now()));
      });

  Add("GET", "/api/v1/experiments/{id}/events",
      [this, find, position_of](const httplib::Request& req, httplib::Response& res) {
        std::optional<ExperimentRecord> found = find(req, res);
        if (!found) return;
        struct Stream {
          std::string id;
          uint64_t after = 0;
          bool started = false;
          std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
        };
        auto stream = std::make_shared<Stream>();
        stream->id = found->id;
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Accel-Buffering", "no");
        res.set_chunked_content_provider("text/event-stream", [this, stream, position_of](
                                                                  size_t, httplib::DataSink& sink) {
          auto write = [&](const std::string& text) {
            stream->last_write = std::chrono::steady_clock::now();
            return sink.write(text.data(), text.size());
          };
          if (!stream->started) {
            // The sequence number first, then the row: an event published in between is sent twice at
            // worst, never lost.
            stream->started = true;
            stream->after = scheduler.events().last_seq();
            Result<std::optional<ExperimentRecord>> r = scheduler.queue().Get(stream->id);
            if (!r.ok() || !r->has_value()) {
              sink.done();
              return true;
            }
            const std::optional<LiveStatus> live = scheduler.Live();
            const json summary = SummaryJson(**r, position_of(**r), live ? &*live : nullptr, scheduler.Now());
            if (!write("retry: 2000\nevent: state\ndata: " + JsonText(summary) + "\n\n")) return false;
            if (IsTerminal((*r)->state)) {
              write("event: end\ndata: " + JsonText({{"state", ExperimentStateName((*r)->state)}}) + "\n\n");
              sink.done();
            }
            return true;
          }
          if (stopping || scheduler.events().closed()) {
            sink.done();
            return true;
          }
          for (const ServiceEvent& e :
               scheduler.events().Wait(stream->id, stream->after, std::chrono::seconds(1))) {
            stream->after = e.seq;
            if (!write(SseEvent(e))) return false;
            if (e.type == "end") {
              sink.done();
              return true;
            }
          }
          if (std::chrono::steady_clock::now() - stream->last_write > std::chrono::seconds(15))
            return write(": ping\n\n");
          return true;
        });
      });

  struct FileRoute {
    const char* path;
    const char* file;
    const char* content_type;
  };
  for (const FileRoute& f :
       {FileRoute{"/api/v1/experiments/{id}/result", "result.json", "application/json"},
        FileRoute{"/api/v1/experiments/{id}/report", "report.html", "text/html; charset=utf-8"},
        FileRoute{"/api/v1/experiments/{id}/results.csv", "results.csv", "text/csv"}}) {
    Add("GET", f.path, [find, f](const httplib::Request& req, httplib::Response& res) {
      std::optional<ExperimentRecord> r = find(req, res);
      if (!r) return;
      std::optional<std::string> body =
          r->result_dir.empty() ? std::nullopt : ReadWholeFile(r->result_dir + "/" + f.file);
      if (!body) {
        SendError(res, 404, "not_found", std::string(f.file) + " of " + r->id + " does not exist (yet)");
        return;
      }
      res.set_content(*body, f.content_type);
    });
  }

  Add("GET", "/api/v1/experiments/{id}/hlog/{file}",
      [find](const httplib::Request& req, httplib::Response& res) {
        std::optional<ExperimentRecord> r = find(req, res);
        if (!r) return;
        const std::string file = req.matches.size() > 2 ? req.matches[2].str() : "";
        static const std::regex kHlog(R"([A-Za-z0-9_-][A-Za-z0-9._-]*\.hlog)");
        if (file.size() > 200 || !std::regex_match(file, kHlog)) {
          SendError(res, 400, "bad_request",
                    "an hlog file name is [A-Za-z0-9._-]+.hlog (see the experiment's links.hlog)");
          return;
        }
        std::optional<std::string> body =
            r->result_dir.empty() ? std::nullopt : ReadWholeFile(r->result_dir + "/hlog/" + file);
        if (!body) {
          SendError(res, 404, "not_found", "hlog " + file + " of " + r->id + " does not exist (yet)");
          return;
        }
        res.set_content(*body, "text/plain");
      });
}

}  // namespace bakeoff
