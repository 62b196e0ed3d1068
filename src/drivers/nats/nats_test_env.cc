#include "drivers/nats/nats_test_env.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "drivers/nats/nats_driver.h"
#include "measure/clock.h"
#include "workload/runner.h"

namespace bakeoff::nats_test {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Hand-started servers (until the local provider is available): argv only, killed by PID.
class ManualServers final : public NatsServers {
 public:
  ~ManualServers() override { (void)Destroy(); }

  Status Start(int nodes, bool jetstream) {
    dir_ = std::filesystem::temp_directory_path() /
           ("bakeoff-nats-test-" + std::to_string(getpid()) + "-" + std::to_string(MonotonicNowNs()));
    std::filesystem::create_directories(dir_);
    std::vector<int> ports, cluster_ports;
    for (int i = 0; i < nodes; ++i) {
      ports.push_back(FreePort());
      cluster_ports.push_back(FreePort());
    }
    for (int i = 0; i < nodes; ++i) {
      std::vector<std::string> args = {
          "nats-server", "-a", "127.0.0.1", "-p", std::to_string(ports[i]), "-n", "n" + std::to_string(i)};
      if (jetstream) {
        args.insert(args.end(), {"-js", "-sd", (dir_ / ("n" + std::to_string(i))).string()});
      }
      if (nodes > 1) {
        std::string routes;
        for (int j = 0; j < nodes; ++j) {
          if (j != i)
            routes += (routes.empty() ? "" : ",") + ("nats://127.0.0.1:" + std::to_string(cluster_ports[j]));
        }
        args.insert(args.end(), {"--cluster_name", "bakeoff", "--cluster",
                                 "nats://127.0.0.1:" + std::to_string(cluster_ports[i]), "--routes", routes});
      }
      const pid_t pid = fork();
      if (pid == 0) {
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
      }
      if (pid < 0) return IoError("fork failed");
      pids_.push_back(pid);
      url_ += (url_.empty() ? "" : ",") + ("nats://127.0.0.1:" + std::to_string(ports[i]));
    }
    for (int port : ports) {
      for (int i = 0; i < 200 && !Accepts(port); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (!Accepts(port))
        return Unavailable("nats-server on port " + std::to_string(port) + " did not start");
    }
    if (jetstream && nodes > 1) std::this_thread::sleep_for(std::chrono::seconds(3));  // meta leader election
    return Status::Ok();
  }

  Endpoints endpoints() const override { return url_.empty() ? Endpoints{} : Endpoints{{"url", url_}}; }
  std::vector<int> pids() const override { return pids_; }

  Status Destroy() override {
    for (int pid : pids_) kill(pid, SIGKILL);
    for (int pid : pids_) waitpid(pid, nullptr, 0);
    pids_.clear();
    url_.clear();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    return Status::Ok();
  }

 private:
  std::filesystem::path dir_;
  std::vector<int> pids_;
  std::string url_;
};

}  // namespace

Result<std::unique_ptr<NatsServers>> StartNatsServers(int nodes, bool jetstream) {
  auto servers = std::make_unique<ManualServers>();
  BAKEOFF_RETURN_IF_ERROR(servers->Start(nodes, jetstream));
  return std::unique_ptr<NatsServers>(std::move(servers));
}

RunOutcome RunOnce(NatsServers& servers, const std::string& driver_name, OptionValues options,
                   const WorkloadSpec& workload, std::chrono::nanoseconds kill_after) {
  RunOutcome out;
  const int64_t start = MonotonicNowNs();
  Driver* driver = driver_name == "nats" ? GetNatsDriver() : GetNatsJetStreamDriver();
  SystemSpec system;
  system.name = driver_name;
  system.driver = driver_name;
  system.options = std::move(options);
  ApplyDefaults(driver->schema(), system.options);
  SessionContext ctx{.system = &system,
                     .workload = &workload,
                     .endpoints = servers.endpoints(),
                     .run_id = "t" + std::to_string(WallNowNs())};
  Result<std::unique_ptr<Session>> session = driver->Connect(ctx);
  if (!session.ok()) {
    out.status = session.status();
    return out;
  }
  TopicLayout layout;
  for (int t = 0; t < workload.topics; ++t)
    layout.topics.push_back("bakeoff-" + ctx.run_id + "-" + std::to_string(t));
  layout.partitions = workload.partitions;
  out.status = (*session)->CreateTopics(layout);
  if (out.status.ok()) {
    std::thread killer;
    if (kill_after.count() > 0) {
      killer = std::thread([&servers, kill_after] {
        std::this_thread::sleep_for(kill_after);
        (void)servers.Destroy();
      });
    }
    RunnerOptions runner;
    runner.system_name = driver_name;
    runner.streams = workload.streams();
    runner.consumer_ready_timeout = std::chrono::seconds(20);
    Result<RunMetrics> metrics = RunWorkload(**session, workload, runner);
    if (killer.joinable()) killer.join();
    if (metrics.ok()) {
      out.metrics = std::move(metrics).value();
    } else {
      out.status = metrics.status();
    }
    out.facts = (*session)->Facts();
  }
  out.delete_topics = (*session)->DeleteTopics();
  session->reset();
  out.elapsed = std::chrono::nanoseconds(MonotonicNowNs() - start);
  return out;
}

}  // namespace bakeoff::nats_test
