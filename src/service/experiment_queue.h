// The persistent experiment queue of `bakeoff serve`: every accepted experiment, its state and its
// outcome. One interface, so that the SQLite implementation (one server, one machine) can later be
// joined by a PostgreSQL one shared by several servers: ClaimNext() is the only step that must be
// atomic across servers (SELECT ... FOR UPDATE SKIP LOCKED there; one transaction here).
//
// Threads: every method may be called from any thread; implementations serialize internally.
// Durability: a method that changes a row returns only after the change is durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff {

enum class ExperimentState : int {
  kQueued,
  kProvisioning,
  kRunning,
  kTearingDown,
  kSucceeded,
  kFailed,
  kThresholdFailed,
  kNotSustained,  // reserved by the API contract
  kCancelled,
  kInterrupted,
};
const char* ExperimentStateName(ExperimentState state);  // "queued", "tearing_down", ...
std::optional<ExperimentState> ParseExperimentState(const std::string& name);
bool IsTerminal(ExperimentState state);
// provisioning, running, tearing_down: an experiment the scheduler owns.
bool IsActive(ExperimentState state);

struct ExperimentRecord {
  std::string id;  // [A-Za-z0-9._-]+; also the result directory's name
  std::string name;
  std::vector<std::string> systems;
  ExperimentState state = ExperimentState::kQueued;
  std::string spec_text;  // exactly as submitted (secrets stay ${env:...} references)
  std::string spec_format = "yaml";  // "yaml" | "json"
  int64_t seq = 0;                   // submission order, assigned by the queue
  int64_t submitted_unix_ns = 0;
  int64_t started_unix_ns = 0;   // 0 until claimed
  int64_t finished_unix_ns = 0;  // 0 until terminal
  std::optional<int> exit_code;  // `bakeoff run`'s exit code, once terminal
  std::string error;             // why it failed / was interrupted; "" otherwise
  std::string result_dir;        // absolute; "" until the run starts
  std::string headline_json = "[]";  // one object per run with metrics (docs/api-v1.md)
  bool cancel_requested = false;
};

struct ExperimentListQuery {
  std::optional<ExperimentState> state;
  std::string name;    // exact
  std::string system;  // one of the experiment's systems
  int limit = 50;
  int64_t before_seq = 0;  // cursor: only rows with seq < before_seq; 0 = from the newest
};

struct ExperimentPage {
  std::vector<ExperimentRecord> experiments;  // newest first
  int64_t next_before_seq = 0;                // 0 when there is no further page
};

struct TerminalUpdate {
  ExperimentState state = ExperimentState::kSucceeded;
  int exit_code = 0;
  std::string error;
  std::string headline_json = "[]";
};

class ExperimentQueue {
 public:
  virtual ~ExperimentQueue() = default;

  // Appends `record` (state queued; id, name, systems, spec set by the caller). Fails when the id exists
  // or more than `max_queued` (> 0) experiments are queued already (StatusCode::kQueueFull).
  virtual Result<ExperimentRecord> Enqueue(ExperimentRecord record, int max_queued) = 0;
  virtual Result<std::optional<ExperimentRecord>> Get(const std::string& id) = 0;
  virtual Result<ExperimentPage> List(const ExperimentListQuery& query) = 0;
  // The queued ids in run order (oldest first): positions are 1-based indexes into it.
  virtual Result<std::vector<std::string>> QueuedIds() = 0;
  // Every experiment in an active state (for crash recovery).
  virtual Result<std::vector<ExperimentRecord>> ListActive() = 0;
  // Counts per state name.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountByState() = 0;

  // The oldest queued experiment, moved to provisioning with started_unix_ns and result_dir set;
  // nullopt when none is queued.
  virtual Result<std::optional<ExperimentRecord>> ClaimNext(int64_t now_unix_ns,
                                                            const std::string& results_root) = 0;
  // An active experiment's phase (provisioning/running/tearing_down). Terminal rows are not changed.
  virtual Status SetActiveState(const std::string& id, ExperimentState state) = 0;
  virtual Status SetHeadline(const std::string& id, const std::string& headline_json) = 0;
  // Marks a non-terminal experiment terminal. Terminal rows are not changed (NotFound then).
  virtual Status Finish(const std::string& id, const TerminalUpdate& update, int64_t now_unix_ns) = 0;
  // queued -> cancelled in one step; false (and no change) when it was not queued.
  virtual Result<bool> CancelIfQueued(const std::string& id, int64_t now_unix_ns) = 0;
  // Records that a cancel of an active experiment was asked for.
  virtual Status MarkCancelRequested(const std::string& id) = 0;
};

}  // namespace bakeoff
