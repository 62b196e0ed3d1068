#include "service/scheduler.h"

#include <chrono>
#include <filesystem>

#include "env/local/env_admin.h"
#include "env/process/files.h"
#include "results/compare.h"
#include "results/result_json.h"
#include "run/experiment_runner.h"
#include "run/publish.h"
#include "service/api_json.h"
#include "service/submission.h"

namespace bakeoff {

Scheduler::Scheduler(ExperimentQueue& queue, SchedulerOptions options) : queue_(queue), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

int64_t Scheduler::Now() const {
  if (options_.wall_clock_ns) return options_.wall_clock_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Scheduler::Start() {
  BAKEOFF_RETURN_IF_ERROR(MakeDirectories(results_dir()));
  Recover();
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_) return Status::Ok();
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Scheduler::Recover() {
  Result<std::vector<ExperimentRecord>> active = queue_.ListActive();
  if (active.ok()) {
    for (const ExperimentRecord& r : *active) {
      TerminalUpdate update;
      update.state = ExperimentState::kInterrupted;
      update.exit_code = ExitCodeFor(ExperimentOutcome{.status = ExperimentStatus::kInterrupted});
      update.error = "the server stopped while this experiment ran (crash or kill); partial results kept where "
                     "written, its environments removed at the next start";
      update.headline_json = r.headline_json;
      if (Result<nlohmann::json> result = LoadResultFile(r.result_dir); result.ok()) {
        update.headline_json = HeadlineFromRuns((*result)["runs"]).dump();
      }
      (void)queue_.Finish(r.id, update, Now());
    }
  }
  // Environments of the crashed server: their owner PID is gone, so gc removes them.
  StateStore store(options_.env_state_dir.empty() ? EnvironmentStateDir() : options_.env_state_dir);
  (void)CollectGarbage(store, OsProcessLauncher(),
                       options_.env_work_root.empty() ? EnvironmentWorkRoot() : options_.env_work_root);
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (running_ != nullptr) running_->context.RequestStop(StopReason::kInterrupted);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<ExperimentRecord> Scheduler::Submit(const std::string& spec_text, const std::string& spec_format,
                                           const Experiment& experiment) {
  ExperimentRecord record;
  record.submitted_unix_ns = Now();
  record.id = NewExperimentId(experiment.name, record.submitted_unix_ns);
  record.name = experiment.name;
  for (const SystemSpec& s : experiment.systems) record.systems.push_back(s.name);
  record.spec_text = spec_text;
  record.spec_format = spec_format;
  Result<ExperimentRecord> stored = queue_.Enqueue(std::move(record), options_.max_queued);
  if (stored.ok()) {
    PublishState(stored->id);
    wake_.notify_all();
  }
  return stored;
}

Result<CancelOutcome> Scheduler::Cancel(const std::string& id) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (running_ != nullptr && running_->live.id == id) {
    BAKEOFF_RETURN_IF_ERROR(queue_.MarkCancelRequested(id));
    running_->context.RequestStop(StopReason::kCancelled);
    lock.unlock();
    PublishState(id);
    return CancelOutcome::kStopRequested;
  }
  // Not running: only a queued one can change, and the thread claims under mutex_, so no race.
  Result<bool> cancelled = queue_.CancelIfQueued(id, Now());
  if (!cancelled.ok()) return cancelled.status();
  lock.unlock();
  if (*cancelled) {
    PublishState(id);
    return CancelOutcome::kCancelledQueued;
  }
  Result<std::optional<ExperimentRecord>> r = queue_.Get(id);
  if (!r.ok()) return r.status();
  return r->has_value() ? CancelOutcome::kAlreadyTerminal : CancelOutcome::kNotFound;
}

ShutdownReply Scheduler::RequestShutdown(bool when_idle) {
  ShutdownReply reply;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    draining_ = true;
    if (running_ != nullptr) {
      reply.running_id = running_->live.id;
      reply.eta_s = running_->live.EtaSeconds();
    }
    if (when_idle) {
      reply.kind = ShutdownReply::kDraining;
      stop_when_idle_ = true;
      if (running_ == nullptr) stop_requested_ = true;
    } else if (running_ != nullptr) {
      reply.kind = ShutdownReply::kBusy;
    } else {
      reply.kind = ShutdownReply::kStopNow;
      stop_requested_ = true;
    }
  }
  stop_requested_changed_.notify_all();
  return reply;
}

bool Scheduler::draining() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return draining_;
}

bool Scheduler::WaitForStopRequest(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return stop_requested_changed_.wait_for(lock, timeout, [this] { return stop_requested_; });
}

std::optional<LiveStatus> Scheduler::Live() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_ == nullptr) return std::nullopt;
  return running_->live;
}

void Scheduler::PublishState(const std::string& id) {
  Result<std::optional<ExperimentRecord>> r = queue_.Get(id);
  if (!r.ok() || !r->has_value()) return;
  const ExperimentRecord& record = **r;
  std::optional<int> position;
  if (record.state == ExperimentState::kQueued) {
    if (Result<std::vector<std::string>> ids = queue_.QueuedIds(); ids.ok()) {
      for (size_t i = 0; i < ids->size(); ++i) {
        if ((*ids)[i] == id) position = static_cast<int>(i + 1);
      }
    }
  }
  const std::optional<LiveStatus> live = Live();
  events_.Publish(id, "state", SummaryJson(record, position, live ? &*live : nullptr, Now()).dump());
  if (IsTerminal(record.state)) events_.Publish(id, "end", nlohmann::json{{"state", ExperimentStateName(record.state)}}.dump());
}

void Scheduler::Loop() {
  while (true) {
    std::optional<ExperimentRecord> next;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) return;
      if (!draining_) {
        // Claimed under mutex_ so that Cancel() never sees a claimed experiment without running_ set.
        Result<std::optional<ExperimentRecord>> claimed = queue_.ClaimNext(Now(), results_dir());
        if (claimed.ok()) next = std::move(*claimed);
      }
      if (!next) {
        // Nothing to do: sleep until a submission, a shutdown or stop (a minute at most, so that a
        // queue written by another process is still picked up).
        wake_.wait_for(lock, std::chrono::seconds(60));
        continue;
      }
    }
    RunOne(std::move(*next));
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_when_idle_ && !stop_requested_) {
      stop_requested_ = true;
      stop_requested_changed_.notify_all();
    }
  }
}

}  // namespace bakeoff
