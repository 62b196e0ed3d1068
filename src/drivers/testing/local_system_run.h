// Test-only: one system of a driver against a real server that the `local` provider starts, driven by the
// real runner. Shared by the driver integration tests (redis-streams, mqtt); RunAndPrint also by kafka's.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "drivers/driver.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "workload/runner.h"

namespace bakeoff::testing {

// Runs `workload` against `session` through the runner; prints a one-line summary and the errors.
inline Result<RunMetrics> RunAndPrint(Session& session, const SystemSpec& system,
                                      const WorkloadSpec& workload,
                                      std::function<void(const ProgressLine&)> on_progress = nullptr) {
  RunnerOptions options;
  options.system_name = system.name;
  options.streams = workload.streams();
  options.on_progress = std::move(on_progress);
  Result<RunMetrics> m = RunWorkload(session, workload, options);
  if (m.ok()) {
    const AccountingTotals& a = m->accounting;
    std::printf(
        "  sent %lu acked %lu received %lu lost %lu dup %lu ooo %lu | %.0f msg/s sent, %.0f received | "
        "e2e p50 %.2f ms p99 %.2f ms | %s\n",
        a.sent, a.acked, a.received, a.lost, a.duplicated, a.out_of_order, m->sent_msgs_per_s(),
        m->received_msgs_per_s(), m->e2e.corrected.ValueAtPercentile(50) / 1e6,
        m->e2e.corrected.ValueAtPercentile(99) / 1e6, m->stop_reason().c_str());
    for (const auto& [message, count] : m->errors.described())
      std::printf("  error x%lu: %s\n", count, message.c_str());
  }
  return m;
}

// Defaults: no warm-up, 5 s drain, 100-byte messages. Topics are named bakeoff-t0, bakeoff-t1, ...
// The destructor deletes the topics and destroys the environment.
struct LocalSystemRun {
  Driver* driver;
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Environment> env;
  std::unique_ptr<Session> session;
  Endpoints endpoints;

  LocalSystemRun(Driver* d, const std::string& name) : driver(d) {
    system.name = name;
    system.driver = driver->name();
    system.environment.provider = "local";
    workload.warmup_ns = 0;
    workload.drain_timeout_ns = 5'000'000'000;
    workload.message_size.fixed_bytes = 100;
  }

  ~LocalSystemRun() {
    if (session) (void)session->DeleteTopics();
    session.reset();
    if (env) {
      EXPECT_TRUE(env->Destroy().ok());
    }
  }

  // A real server: through the local provider.
  Status StartServer() {
    Provider* local = FindProvider("local");
    if (local == nullptr) return NotFound("the local provider is not built");
    ApplyDefaults(local->schema(), system.environment.options);
    Result<std::unique_ptr<Environment>> created = local->Create(system);
    if (!created.ok()) return created.status();
    env = std::move(created).value();
    BAKEOFF_RETURN_IF_ERROR(env->Apply(std::chrono::seconds(90)));
    endpoints = env->endpoints();
    return Status::Ok();
  }

  // Starts the server, connects the driver and creates the workload's topics.
  Status Connect() {
    ApplyDefaults(driver->schema(), system.options);
    BAKEOFF_RETURN_IF_ERROR(StartServer());
    SessionContext ctx{.system = &system,
                       .workload = &workload,
                       .endpoints = endpoints,
                       .run_id = "test-" + std::to_string(WallNowNs())};
    Result<std::unique_ptr<Session>> connected = driver->Connect(ctx);
    if (!connected.ok()) return connected.status();
    session = std::move(connected).value();
    TopicLayout layout;
    for (int t = 0; t < workload.topics; ++t) layout.topics.push_back("bakeoff-t" + std::to_string(t));
    layout.partitions = workload.partitions;
    return session->CreateTopics(layout);
  }

  Result<RunMetrics> Run() { return Run(*session); }
  // Through a wrapper of the session (e.g. one that slows its consumers down).
  Result<RunMetrics> Run(Session& through) { return RunAndPrint(through, system, workload); }
};

}  // namespace bakeoff::testing
