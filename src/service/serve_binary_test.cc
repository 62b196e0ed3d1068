// `bakeoff serve` as the built program (BAKEOFF_BIN): kill -9 mid-run then restart, and SIGTERM.
#include <signal.h>

#include <fstream>
#include <regex>

#include "env/process/process.h"
#include "service/testing/service_fixture.h"

namespace bakeoff::testing {
namespace {

using nlohmann::json;

class ServeBinaryTest : public ServiceFixture {
 protected:
  // Starts the program; returns its port (0 on failure) and sets server_process_.
  int Spawn(const std::string& log_name) {
    const char* bin = std::getenv("BAKEOFF_BIN");
    EXPECT_NE(bin, nullptr) << "BAKEOFF_BIN names the built bakeoff (ctest sets it)";
    if (bin == nullptr) return 0;
    SpawnRequest request;
    request.argv = {bin, "serve", "--listen", "127.0.0.1:0", "--data", (dir_ / "data").string()};
    request.env = {{"BAKEOFF_STATE_DIR", (dir_ / "env-state").string()},
                   {"BAKEOFF_WORK_DIR", (dir_ / "env-work").string()}};
    request.working_dir = dir_.string();
    request.log_path = (dir_ / log_name).string();
    Result<ProcessRef> ref = OsProcessLauncher().Spawn(request);
    EXPECT_TRUE(ref.ok()) << ref.status().ToString();
    if (!ref.ok()) return 0;
    server_process_ = *ref;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(request.log_path);
      const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::smatch m;
      if (std::regex_search(log, m, kListening)) {
        const int port = std::stoi(m[1]);
        client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
        client_->set_read_timeout(std::chrono::seconds(30));
        return port;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the server did not say where it listens; log: " << request.log_path;
    return 0;
  }
  void TearDown() override {
    if (server_process_.valid())
      (void)OsProcessLauncher().Stop(server_process_, std::chrono::seconds(30), std::chrono::seconds(5));
    ServiceFixture::TearDown();
  }
  std::vector<std::string> StateFiles() {
    std::vector<std::string> out;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir_ / "env-state", ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".json") out.push_back(it->path().string());
    }
    return out;
  }
  ProcessRef server_process_;
};

TEST_F(ServeBinaryTest, KillNineMidRunThenRestartInterruptsCleansUpAndContinues) {
  ASSERT_GT(Spawn("serve-1.log"), 0);
  const std::string crashed = SubmitOk(RedisSpec("crash-me", "120s"));
  const std::string next = SubmitOk(MemorySpec("after-crash", "1s"));
  ASSERT_EQ(WaitState(crashed, "running", 60)["state"], "running");
  // The redis-server of its environment, from the state file the local provider wrote.
  std::vector<ProcessRef> servers;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (servers.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const std::string& file : StateFiles()) {
      std::ifstream in(file);
      json state = json::parse(in, nullptr, false);
      if (!state.is_object()) continue;
      for (const json& r : state.value("resources", json::array())) {
        if (r.value("kind", "") == "process" && r.value("pid", 0) > 0)
          servers.push_back({r.value("pid", 0), r.value("pid_start_ticks", uint64_t{0})});
      }
    }
    if (servers.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(servers.empty());
  for (const ProcessRef& p : servers) ASSERT_TRUE(OsProcessLauncher().IsRunning(p));

  ASSERT_EQ(kill(server_process_.pid, SIGKILL), 0);
  Result<int> killed = OsProcessLauncher().Wait(server_process_, std::chrono::seconds(10));
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(*killed, 128 + SIGKILL);
  server_process_ = {};
  for (const ProcessRef& p : servers) EXPECT_TRUE(OsProcessLauncher().IsRunning(p));  // orphaned, for now

  ASSERT_GT(Spawn("serve-2.log"), 0);
  const json interrupted = GetJson("/api/v1/experiments/" + crashed);
  EXPECT_EQ(interrupted["state"], "interrupted");
  EXPECT_EQ(interrupted["exit_code"], 130);
  EXPECT_TRUE(interrupted["error"].is_string());
  for (const ProcessRef& p : servers) EXPECT_FALSE(OsProcessLauncher().IsRunning(p)) << "pid " << p.pid;
  EXPECT_TRUE(StateFiles().empty());
  EXPECT_EQ(WaitState(next, "succeeded", 60)["state"], "succeeded");
}

TEST_F(ServeBinaryTest, SigtermStopsWithin30sInterruptsTheRunAndKeepsTheQueue) {
  ASSERT_GT(Spawn("serve-1.log"), 0);
  const std::string running = SubmitOk(RedisSpec("stopped", "120s"));
  const std::string queued = SubmitOk(MemorySpec("kept", "1s"));
  ASSERT_EQ(WaitState(running, "running", 60)["state"], "running");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(server_process_.pid, SIGTERM), 0);
  Result<int> code = OsProcessLauncher().Wait(server_process_, std::chrono::seconds(35));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  EXPECT_LT(seconds, 30.0);
  server_process_ = {};
  EXPECT_TRUE(StateFiles().empty());  // torn down before exit

  ASSERT_GT(Spawn("serve-2.log"), 0);
  const json stopped = GetJson("/api/v1/experiments/" + running);
  EXPECT_EQ(stopped["state"], "interrupted");
  EXPECT_TRUE(stopped["links"]["result"].is_string());  // partial results written
  EXPECT_EQ(WaitState(queued, "succeeded", 60)["state"], "succeeded");
}

}  // namespace
}  // namespace bakeoff::testing
