// What the caller of RunWorkload gives the runner besides the workload, and the progress line it gets
// back once per second (runner.h). Its own header so that the runner's parts (sampler.h) use it
// without including the runner.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace bakeoff {

struct ProgressLine {
  std::string system;
  double elapsed_s = 0;
  double total_s = 0;
  bool warmup = false;
  bool drain = false;  // after the send window (warm-up + duration): late sends, flush and drain
  double sent_per_s = 0;
  double received_per_s = 0;
  int64_t e2e_p99_ns = 0;
  uint64_t errors = 0;
};

struct RunnerOptions {
  std::string system_name;
  std::string base_dir;  // resolves relative payload files
  int streams = 1;       // topics x partitions
  // Set by a signal handler: stop producing, drain briefly, return partial results.
  const std::atomic<bool>* interrupted = nullptr;
  std::function<void(const ProgressLine&)> on_progress;  // once per second; may be empty
  std::chrono::nanoseconds consumer_ready_timeout{std::chrono::seconds(30)};
};

}  // namespace bakeoff
