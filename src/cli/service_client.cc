#include "cli/service_client.h"

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/exit_codes.h"
#include "service/http_server.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

using nlohmann::json;

std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

httplib::Headers AuthHeaders(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

std::unique_ptr<httplib::Client> Connect(const std::string& server, std::chrono::seconds read_timeout) {
  auto client = std::make_unique<httplib::Client>(server);
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(std::chrono::seconds(10));
  return client;
}

// The server's error message, or the HTTP failure.
std::string Problem(const httplib::Result& res) {
  if (!res) return "no answer from the server: " + httplib::to_string(res.error());
  json body = json::parse(res->body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object())
    return body["error"].value("message", "") + " (HTTP " + std::to_string(res->status) + ")";
  return "HTTP " + std::to_string(res->status);
}

std::string Number(const json& v, bool duration) {
  if (!v.is_number()) return "-";
  return duration ? FormatDurationNs(v.get<double>()) : FormatCount(v.get<double>());
}

void PrintProgress(const json& p) {
  std::fprintf(stderr, "[%s] %5.1f/%.1f s%s  sent %s/s  recv %s/s  e2e p99 %s  errors %llu\n",
               p.value("system", "").c_str(), p.value("elapsed_s", 0.0), p.value("total_s", 0.0),
               p.value("warmup", false) ? " (warm-up)" : "", FormatCount(p.value("sent_per_s", 0.0)).c_str(),
               FormatCount(p.value("received_per_s", 0.0)).c_str(),
               p.value("e2e_p99_ns", 0) > 0 ? FormatDurationNs(p.value("e2e_p99_ns", 0.0)).c_str() : "-",
               static_cast<unsigned long long>(p.value("errors", 0ULL)));
}

}  // namespace

Result<ServiceClient> ServiceClient::FromFlags(const std::string& server, const std::string& token_file) {
  std::string url = !server.empty() ? server : EnvOrEmpty("BAKEOFF_SERVER");
  if (url.empty()) url = "http://127.0.0.1:8080";
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return InvalidArgument("the server URL is http://HOST:PORT (--server or BAKEOFF_SERVER), not `" + url + "`");
  const std::string file = !token_file.empty() ? token_file : EnvOrEmpty("BAKEOFF_TOKEN_FILE");
  std::string token;
  if (!file.empty()) {
    Result<std::string> read = ReadTokenFile(file);
    if (!read.ok()) return read.status();
    token = *read;
  }
  return ServiceClient(url, token);
}

int ServiceClient::Submit(const std::string& file, bool wait) const {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const bool is_json = file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0;
  auto client = Connect(server_, std::chrono::seconds(30));
  httplib::Result res = client->Post("/api/v1/experiments", AuthHeaders(token_), text.str(),
                                     is_json ? "application/json" : "application/yaml");
  if (res && res->status == 400) {
    json body = json::parse(res->body, nullptr, false);
    if (body.is_object() && body.contains("errors")) {
      for (const json& e : body["errors"]) {
        std::cerr << file << ":" << e.value("line", 0) << ":" << e.value("column", 0) << ": " << e.value("path", "")
                  << ": " << e.value("message", "");
        if (!e.value("suggestion", "").empty()) std::cerr << " (" << e.value("suggestion", "") << ")";
        std::cerr << "\n";
      }
      std::cerr << body["errors"].size() << " problem(s) found; nothing was queued.\n";
      return kExitBadExperiment;
    }
  }
  if (!res || res->status != 201) {
    std::cerr << "bakeoff: submit to " << server_ << " failed: " << Problem(res) << "\n";
    return res && res->status < 500 ? kExitBadExperiment : kExitRunFailed;
  }
  json body = json::parse(res->body, nullptr, false);
  const std::string id = body.value("id", "");
  std::cout << id << " queued at position " << (body["position"].is_number() ? body["position"].dump() : "-") << " on "
            << server_ << "\n";
  return wait ? Follow(id) : kExitOk;
}

int ServiceClient::Follow(const std::string& id) const {
  // Follows the SSE stream; reconnects (a new stream starts with the current state) if it drops.
  bool ended = false;
  for (int attempt = 0; attempt < 30 && !ended; ++attempt) {
    auto client = Connect(server_, std::chrono::seconds(60));
    std::string buffer;
    std::string last_state;
    client->Get(("/api/v1/experiments/" + id + "/events").c_str(), AuthHeaders(token_),
                [&](const char* data, size_t length) {
                  buffer.append(data, length);
                  size_t end;
                  while ((end = buffer.find("\n\n")) != std::string::npos) {
                    std::string event = buffer.substr(0, end);
                    buffer.erase(0, end + 2);
                    std::string type, payload;
                    std::istringstream lines(event);
                    for (std::string line; std::getline(lines, line);) {
                      if (line.rfind("event: ", 0) == 0) type = line.substr(7);
                      if (line.rfind("data: ", 0) == 0) payload += line.substr(6);
                    }
                    json j = json::parse(payload, nullptr, false);
                    if (type == "progress") {
                      PrintProgress(j);
                    } else if (type == "log") {
                      std::cerr << "bakeoff: " << j.value("line", "") << "\n";
                    } else if (type == "state" && j.is_object() && j.value("state", "") != last_state) {
                      last_state = j.value("state", "");
                      std::cerr << "bakeoff: " << id << ": " << last_state << "\n";
                    } else if (type == "end") {
                      ended = true;
                      return false;
                    }
                  }
                  return true;
                });
    if (!ended) std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  auto client = Connect(server_, std::chrono::seconds(30));
  httplib::Result res = client->Get(("/api/v1/experiments/" + id).c_str(), AuthHeaders(token_));
  if (!res || res->status != 200) {
    std::cerr << "bakeoff: " << id << ": " << Problem(res) << "\n";
    return kExitInternal;
  }
  json detail = json::parse(res->body, nullptr, false);
  std::printf("\n%-16s %-12s %14s %12s %14s %10s\n", "system", "status", "recv msg/s", "e2e p99", "publish p99", "lost");
  for (const json& h : detail.value("headline", json::array())) {
    std::printf("%-16s %-12s %14s %12s %14s %10s\n", h.value("system", "").c_str(), h.value("status", "").c_str(),
                Number(h["received_msgs_per_s"], false).c_str(), Number(h["e2e_p99_ns"], true).c_str(),
                Number(h["publish_p99_ns"], true).c_str(), Number(h["lost"], false).c_str());
  }
  std::printf("%s: %s", id.c_str(), detail.value("state", "").c_str());
  if (detail["error"].is_string()) std::printf(" (%s)", detail["error"].get<std::string>().c_str());
  std::printf("\nresults: %s/api/v1/experiments/%s/result (report, results.csv, hlog/)\n", server_.c_str(), id.c_str());
  return detail["exit_code"].is_number_integer() ? detail["exit_code"].get<int>() : kExitInternal;
}

int ServiceClient::PrintQueue() const {
  auto client = Connect(server_, std::chrono::seconds(30));
  httplib::Result res = client->Get("/api/v1/experiments?limit=50", AuthHeaders(token_));
  if (!res || res->status != 200) {
    std::cerr << "bakeoff: " << server_ << ": " << Problem(res) << "\n";
    return kExitRunFailed;
  }
  json page = json::parse(res->body, nullptr, false);
  std::printf("%-44s %-16s %4s %-24s %s\n", "id", "state", "pos", "submitted", "systems");
  for (const json& e : page.value("experiments", json::array())) {
    std::string systems;
    for (const json& s : e.value("systems", json::array())) systems += (systems.empty() ? "" : ",") + s.get<std::string>();
    std::printf("%-44s %-16s %4s %-24s %s\n", e.value("id", "").c_str(), e.value("state", "").c_str(),
                e["position"].is_number() ? e["position"].dump().c_str() : "-",
                e["submitted_at"].is_string() ? e["submitted_at"].get<std::string>().c_str() : "-", systems.c_str());
  }
  return kExitOk;
}

int ServiceClient::Cancel(const std::string& id) const {
  auto client = Connect(server_, std::chrono::seconds(30));
  httplib::Result res = client->Delete(("/api/v1/experiments/" + id).c_str(), AuthHeaders(token_));
  if (!res || (res->status != 200 && res->status != 202)) {
    std::cerr << "bakeoff: cancel " << id << ": " << Problem(res) << "\n";
    return res && res->status < 500 ? kExitBadExperiment : kExitRunFailed;
  }
  std::cout << id << (res->status == 200 ? ": cancelled (it never ran)\n" : ": stopping (partial results kept, tearing down)\n");
  return kExitOk;
}

}  // namespace bakeoff
