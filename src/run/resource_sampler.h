// Samples the CPU time, resident memory and bytes written of a system's server processes once per
// second from /proc, so that a result shows what each system cost, not only how fast it was.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "env/provider.h"
#include "results/result.h"

namespace bakeoff {

// Reads /proc/PID/{stat,status,io}. Returns false if the process is gone.
struct ProcReading {
  double cpu_seconds = 0;
  int64_t rss_bytes = 0;
  int64_t write_bytes = 0;
};
bool ReadProc(int pid, ProcReading& out);

class ResourceSampler {
 public:
  // Starts a thread sampling `processes` every `interval_ms`. Nothing is sampled for an empty list.
  explicit ResourceSampler(const std::vector<ServerProcess>& processes, int interval_ms = 1000);
  ~ResourceSampler();
  ResourceSampler(const ResourceSampler&) = delete;
  ResourceSampler& operator=(const ResourceSampler&) = delete;

  // Stops sampling (idempotent) and returns what was measured.
  std::vector<ProcessUsage> Stop();

 private:
  void Loop();
  void SampleOnce(double t_s);

  struct Tracked {
    ProcessUsage usage;
    ProcReading first;
    ProcReading last;
    double last_t_s = 0;
    bool started = false;
  };

  int interval_ms_;
  std::vector<Tracked> tracked_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::thread thread_;
  int64_t start_ns_ = 0;
};

}  // namespace bakeoff
