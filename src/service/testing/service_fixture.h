// Test-only: a real `bakeoff serve` stack in-process (SQLite queue, scheduler, HTTP on a free loopback
// port) in a temporary data directory, with local environments' state and work dirs of its own.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "service/http_server.h"
#include "service/scheduler.h"
#include "service/sqlite_queue.h"

namespace bakeoff::testing {

inline std::string MemorySpec(const std::string& name, const std::string& duration,
                              const std::string& rate = "2k/s") {
  return "name: " + name + "\nsystems:\n  - name: memory\n    driver: memory\nworkload:\n  rate: " + rate +
         "\n  message_size: 64B\n  warmup: 0s\n  duration: " + duration + "\n";
}

inline std::string RedisSpec(const std::string& name, const std::string& duration) {
  return "name: " + name +
         "\nsystems:\n  - name: redis\n    driver: redis-streams\n    environment:\n      provider: local\n"
         "workload:\n  rate: 1k/s\n  message_size: 100B\n  warmup: 0s\n  duration: " +
         duration + "\n";
}

// One server event read from an SSE stream.
struct SseEvent {
  std::string type;
  nlohmann::json data;
};

// Reads `path`'s SSE stream until `end` (or `timeout`); returns the events in order.
inline std::vector<SseEvent> ReadEvents(int port, const std::string& path, std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(timeout);
  std::vector<SseEvent> events;
  std::string buffer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  client.Get(path.c_str(), [&](const char* data, size_t length) {
    buffer.append(data, length);
    size_t end;
    while ((end = buffer.find("\n\n")) != std::string::npos) {
      std::string block = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      SseEvent e;
      std::istringstream lines(block);
      std::string payload;
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("event: ", 0) == 0) e.type = line.substr(7);
        if (line.rfind("data: ", 0) == 0) payload += line.substr(6);
      }
      if (e.type.empty()) continue;
      e.data = nlohmann::json::parse(payload, nullptr, false);
      events.push_back(e);
      if (e.type == "end") return false;
    }
    return std::chrono::steady_clock::now() < deadline;
  });
  return events;
}

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bakeoff-svc-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Local environments of this test only: gc and teardown never touch anyone else's.
    setenv("BAKEOFF_STATE_DIR", (dir_ / "env-state").c_str(), 1);
    setenv("BAKEOFF_WORK_DIR", (dir_ / "env-work").c_str(), 1);
  }
  void TearDown() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(const std::string& token = "", bool start_scheduler = true) {
    auto q = SqliteExperimentQueue::Open((dir_ / "queue.sqlite").string());
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(*q);
    SchedulerOptions so;
    so.data_dir = (dir_ / "data").string();
    so.bakeoff_version = "test";
    scheduler_ = std::make_unique<Scheduler>(*queue_, so);
    ApiServerOptions ho;
    ho.port = 0;
    ho.token = token;
    ho.web_dir = (dir_ / "web").string();
    ho.examples_dir = (dir_ / "examples").string();
    ho.version = "test";
    ho.read_timeout = read_timeout_;
    server_ = std::make_unique<ApiServer>(*scheduler_, ho);
    if (start_scheduler) {
      ASSERT_TRUE(scheduler_->Start().ok());
    }
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(std::chrono::seconds(30));
    if (!token.empty()) auth_ = {{"Authorization", "Bearer " + token}};
  }
  void StopServer() {
    if (server_) server_->Stop();
    if (scheduler_) scheduler_->Stop();
    server_.reset();
    scheduler_.reset();
    queue_.reset();
  }

  httplib::Result Submit(const std::string& spec, const std::string& query = "") {
    return client_->Post(("/api/v1/experiments" + query).c_str(), auth_, spec, "application/yaml");
  }
  std::string SubmitOk(const std::string& spec) {
    httplib::Result res = Submit(spec);
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? nlohmann::json::parse(res->body).value("id", "") : "";
  }
  nlohmann::json GetJson(const std::string& path, int expect_status = 200) {
    httplib::Result res = client_->Get(path.c_str(), auth_);
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    return nlohmann::json::parse(res->body, nullptr, false);
  }
  // Polls until the experiment is in one of the terminal states (or `state_wanted`); returns its detail.
  nlohmann::json WaitState(const std::string& id, const std::string& state_wanted, int seconds = 90) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    nlohmann::json detail;
    while (std::chrono::steady_clock::now() < deadline) {
      detail = GetJson("/api/v1/experiments/" + id);
      if (detail.value("state", "") == state_wanted) return detail;
      if (detail.value("finished_at", nlohmann::json()).is_string()) return detail;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return detail;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteExperimentQueue> queue_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers auth_;
  std::chrono::seconds read_timeout_{10};
};

}  // namespace bakeoff::testing
