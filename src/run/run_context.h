// RunContext: what a caller of RunExperiment controls and observes, one object per call. It replaces the
// loose `atomic<bool>*` flags and callbacks, so that a long-lived server can run experiments one after
// another (or side by side, in tests) and cancel one without touching another: nothing here is global.
//
// Threads: RequestStop() may be called from any thread and from a signal handler (it only does
// lock-free atomic stores). The callbacks are invoked on RunExperiment's thread, one at a time; they
// must not block for long (the runner samples once per second between them).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "workload/runner.h"

namespace bakeoff {

// Why an experiment stopped before its end. The first reason given wins.
enum class StopReason : int {
  kNone = 0,
  kCancelled,    // a user asked (DELETE on the server, a test)
  kInterrupted,  // Ctrl-C, SIGTERM, or the server shutting down
  kDeadline,     // the run context's deadline passed
};
const char* StopReasonName(StopReason reason);  // "none", "cancelled", "interrupted", "deadline"

// Where one run of one system is. Reported through RunContext::on_phase at every change.
enum class RunPhase : int {
  kProvisioning,
  kConnecting,
  kCreatingTopics,
  kRunning,
  kTearingDown,
};
const char* RunPhaseName(RunPhase phase);  // "provisioning", "connecting", ...

struct PhaseEvent {
  std::string system;
  int run_index = 0;  // 1-based, over the whole experiment (matrix points x repeats x systems)
  int runs_total = 0;
  RunPhase phase = RunPhase::kProvisioning;
};

class RunContext {
 public:
  RunContext() = default;
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  // Asks the experiment to stop: producers stop, consumers drain briefly, partial results are written
  // and every environment is torn down. Idempotent; async-signal-safe.
  void RequestStop(StopReason reason) noexcept;
  bool stop_requested() const noexcept { return stop_.load(std::memory_order_acquire); }
  StopReason stop_reason() const noexcept { return static_cast<StopReason>(reason_.load()); }
  // The flag the lower layers (workload runner, environments) poll. Valid while this context lives.
  const std::atomic<bool>* stop_flag() const noexcept { return &stop_; }

  // A deadline for the whole experiment (steady clock); when it passes, RequestStop(kDeadline).
  // Set before RunExperiment starts; none by default.
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  bool has_deadline() const { return deadline_ != std::chrono::steady_clock::time_point{}; }

  // Wall clock in Unix nanoseconds for the result's timestamps; replaceable in tests.
  std::function<int64_t()> wall_clock_ns;
  int64_t WallNowNs() const;

  std::function<void(const std::string&)> on_log;        // phase lines ("kafka: environment ready")
  std::function<void(const ProgressLine&)> on_progress;  // once per second during a run
  std::function<void(const PhaseEvent&)> on_phase;       // at every phase change

  void Log(const std::string& line) const {
    if (on_log) on_log(line);
  }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
  std::atomic<bool> stop_{false};
  std::atomic<int> reason_{static_cast<int>(StopReason::kNone)};
  std::chrono::steady_clock::time_point deadline_{};
};

}  // namespace bakeoff
