// The scheduler of `bakeoff serve`: takes experiments from the queue one at a time, in submission
// order, and runs each through RunExperiment (the library call `bakeoff run` makes), then indexes the
// result (PublishResult). Cancel, deferred shutdown and crash recovery live here, not in the HTTP
// layer, so all of it is testable without HTTP.
//
// Threads: one scheduler thread runs experiments; every public method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <functional>

#include "service/event_hub.h"
#include "service/experiment_queue.h"
#include "service/live_status.h"
#include "spec/experiment.h"

namespace bakeoff {

struct SchedulerOptions {
  std::string data_dir;         // results go to <data_dir>/results (and its index.sqlite)
  std::string bakeoff_version;
  std::string env_state_dir;    // local environments' state files; empty: EnvironmentStateDir()
  std::string env_work_root;    // their work directories; empty: EnvironmentWorkRoot()
  int max_queued = 1000;        // Submit() beyond this: QueueFull
  std::function<int64_t()> wall_clock_ns;  // empty: the system clock
};

enum class CancelOutcome { kCancelledQueued, kStopRequested, kAlreadyTerminal, kNotFound };

struct ShutdownReply {
  enum Kind { kStopNow, kBusy, kDraining } kind = kStopNow;
  std::string running_id;  // the running experiment, if any
  double eta_s = 0;
};

class Scheduler {
 public:
  Scheduler(ExperimentQueue& queue, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Crash recovery first: every experiment a previous server left provisioning/running/tearing_down
  // becomes `interrupted` and environments whose owner is gone are removed (the `env gc` machinery).
  // Then the scheduler thread starts and works through the queue in order. Call once.
  Status Start();
  // Stops: the running experiment is interrupted (producers stop, partial results written, every
  // environment torn down), the thread joins; queued experiments stay queued. Idempotent.
  void Stop();

  // Validates nothing (the caller parsed `spec_text`); enqueues durably and wakes the thread.
  Result<ExperimentRecord> Submit(const std::string& spec_text, const std::string& spec_format,
                                  const Experiment& experiment);
  Result<CancelOutcome> Cancel(const std::string& id);

  // The deploy hook. Idle: kStopNow (and StopRequested() becomes true). Busy: kBusy, and from now on
  // nothing new starts. `when_idle`: kDraining at once; StopRequested() turns true when the running
  // experiment (if any) has ended.
  ShutdownReply RequestShutdown(bool when_idle);
  bool draining() const;
  // Whether a shutdown request says the server should now stop; waits up to `timeout` for it.
  bool WaitForStopRequest(std::chrono::milliseconds timeout);

  // The running experiment's live status; nullopt when idle.
  std::optional<LiveStatus> Live() const;
  // 1-based queue positions of queued experiments.
  Result<std::vector<std::string>> QueuedIds() { return queue_.QueuedIds(); }

  EventHub& events() { return events_; }
  ExperimentQueue& queue() { return queue_; }
  std::string results_dir() const { return options_.data_dir + "/results"; }
  int64_t Now() const;
  // Publishes the state event of `id` as it is now (and `end` after a terminal state).
  void PublishState(const std::string& id);

 private:
  // The experiment the thread is running; lives on the thread's stack.
  struct Running {
    RunContext context;
    LiveStatus live;
  };
  void Loop();
  void RunOne(ExperimentRecord record);
  void Recover();

  ExperimentQueue& queue_;
  const SchedulerOptions options_;
  EventHub events_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
  bool draining_ = false;
  bool stop_when_idle_ = false;
  bool stop_requested_ = false;   // shutdown accepted: the server should stop now
  Running* running_ = nullptr;    // under mutex_
  std::condition_variable stop_requested_changed_;
  std::thread thread_;
};

}  // namespace bakeoff
