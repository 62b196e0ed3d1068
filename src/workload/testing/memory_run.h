// Test-only: one run of a workload on the memory driver through the real runner.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "drivers/memory/memory_driver.h"
#include "workload/runner.h"

namespace bakeoff::testing {

// Defaults: no warm-up, 2 s measured, 5 s drain, 64-byte messages. Set `system.options` (the memory
// driver's fault options) and `workload` before Run().
struct MemoryRun {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;

  MemoryRun() {
    system.name = "memory";
    system.driver = "memory";
    workload.warmup_ns = 0;
    workload.duration_ns = 2'000'000'000;
    workload.drain_timeout_ns = 5'000'000'000;
    workload.message_size.fixed_bytes = 64;
  }

  Result<RunMetrics> Run(const std::atomic<bool>* interrupted = nullptr) {
    ApplyDefaults(GetMemoryDriver()->schema(), system.options);
    SessionContext ctx;
    ctx.system = &system;
    ctx.workload = &workload;
    ctx.run_id = "test";
    Result<std::unique_ptr<Session>> connected = GetMemoryDriver()->Connect(ctx);
    if (!connected.ok()) return connected.status();
    session = std::move(connected).value();
    TopicLayout layout;
    for (int t = 0; t < workload.topics; ++t) layout.topics.push_back("t" + std::to_string(t));
    layout.partitions = workload.partitions;
    if (Status st = session->CreateTopics(layout); !st.ok()) return st;
    RunnerOptions options;
    options.system_name = "memory";
    options.streams = workload.streams();
    options.interrupted = interrupted;
    return RunWorkload(*session, workload, options);
  }
};

}  // namespace bakeoff::testing
