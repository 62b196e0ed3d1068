#include "drivers/nats/nats_test_env.h"

#include <mutex>
#include <thread>

#include "drivers/nats/nats_driver.h"
#include "env/local/local_provider.h"
#include "env/local/local_test_support.h"
#include "measure/clock.h"
#include "workload/runner.h"

namespace bakeoff::nats_test {
namespace {

class ProviderServers final : public NatsServers {
 public:
  ~ProviderServers() override {
    (void)Destroy();
    env_.reset();
    sandbox_.reset();  // collects anything a failed test left behind
  }

  Status Start(int nodes, bool jetstream, const std::string& storage) {
    sandbox_ = std::make_unique<testing_support::Sandbox>();
    system_.name = "nats-test";
    system_.driver = jetstream ? "nats-jetstream" : "nats";
    system_.environment.provider = "local";
    system_.environment.options.Set("nodes", int64_t{nodes});
    system_.environment.options.Set("jetstream", jetstream);
    system_.environment.options.Set("storage", storage);
    // The provider checks the driver's storage against the server's (a memory-only server refuses file
    // streams); the tests' sessions pass their own options, this states the same.
    if (jetstream) system_.options.Set("storage", storage);
    ApplyDefaults(GetLocalProvider()->schema(), system_.environment.options);
    Result<std::unique_ptr<Environment>> env = GetLocalProvider()->Create(system_);
    if (!env.ok()) return env.status();
    env_ = std::move(env).value();
    return env_->Apply(std::chrono::seconds(60));
  }

  Endpoints endpoints() const override { return env_->endpoints(); }

  std::vector<int> pids() const override {
    std::vector<int> pids;
    for (const ServerProcess& p : env_->Processes()) pids.push_back(p.pid);
    return pids;
  }

  Status Destroy() override {
    std::lock_guard<std::mutex> lock(mu_);
    return env_ ? env_->Destroy() : Status::Ok();
  }

 private:
  std::mutex mu_;
  std::unique_ptr<testing_support::Sandbox> sandbox_;
  SystemSpec system_;
  std::unique_ptr<Environment> env_;
};

}  // namespace

Result<std::unique_ptr<NatsServers>> StartNatsServers(int nodes, bool jetstream, const std::string& storage) {
  auto servers = std::make_unique<ProviderServers>();
  BAKEOFF_RETURN_IF_ERROR(servers->Start(nodes, jetstream, storage));
  return std::unique_ptr<NatsServers>(std::move(servers));
}

WorkloadSpec CappedWorkload(int topics, int partitions, double rate, int64_t messages,
                            std::chrono::nanoseconds drain_timeout) {
  WorkloadSpec w;
  w.topics = topics;
  w.partitions = partitions;
  w.producers = 2;
  w.consumers = 2;
  w.message_size.fixed_bytes = 100;
  w.rate.msgs_per_s = rate;
  w.messages = messages;
  w.warmup_ns = 0;
  w.duration_ns = 60'000'000'000;
  w.drain_timeout_ns = drain_timeout.count();
  return w;
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
