// Test support: real nats-server processes for the NATS driver tests, and one run of the real
// workload runner against them.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "measure/run_metrics.h"

namespace bakeoff::nats_test {

class NatsServers {
 public:
  virtual ~NatsServers() = default;
  virtual Endpoints endpoints() const = 0;
  virtual std::vector<int> pids() const = 0;
  // Stops every server (Environment::Destroy); idempotent, callable from another thread mid-run.
  virtual Status Destroy() = 0;
};

// Starts `nodes` nats-server processes (a cluster when nodes > 1) through the `local` provider, with
// JetStream enabled if `jetstream` (`storage`: file, or memory only). Each call gets a private state
// and work directory, garbage-collected with every process found there when the servers are destroyed.
Result<std::unique_ptr<NatsServers>> StartNatsServers(int nodes, bool jetstream,
                                                      const std::string& storage = "file");

struct RunOutcome {
  Status status;  // RunWorkload's status, or the setup step that failed
  RunMetrics metrics;
  std::map<std::string, std::string> facts;
  Status delete_topics;
  std::chrono::nanoseconds elapsed{};
};

// 100-byte messages from 2 producers to 2 consumers at `rate`, capped at `messages`, no warm-up; the
// 60 s duration only bounds a run the cap ends first.
WorkloadSpec CappedWorkload(int topics, int partitions, double rate, int64_t messages,
                            std::chrono::nanoseconds drain_timeout);

// Connect, CreateTopics, RunWorkload, Facts, DeleteTopics against `servers` with the driver `driver`
// ("nats" or "nats-jetstream") and the given options (defaults filled in). If `kill_after` is set,
// another thread destroys the servers that long after the run starts.
RunOutcome RunOnce(NatsServers& servers, const std::string& driver, OptionValues options,
                   const WorkloadSpec& workload, std::chrono::nanoseconds kill_after = {});

}  // namespace bakeoff::nats_test
