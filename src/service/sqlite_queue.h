// ExperimentQueue in one SQLite database (<data>/queue.sqlite) in WAL mode with synchronous=FULL: a
// change is on disk when the call returns, so a 201 is never followed by a lost experiment.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "service/experiment_queue.h"

namespace bakeoff {

class SqliteExperimentQueue final : public ExperimentQueue {
 public:
  // Opens (creating the file and schema if needed) `path`.
  static Result<std::unique_ptr<SqliteExperimentQueue>> Open(const std::string& path);
  ~SqliteExperimentQueue() override;

  Result<ExperimentRecord> Enqueue(ExperimentRecord record, int max_queued) override;
  Result<std::optional<ExperimentRecord>> Get(const std::string& id) override;
  Result<ExperimentPage> List(const ExperimentListQuery& query) override;
  Result<std::vector<std::string>> QueuedIds() override;
  Result<std::vector<ExperimentRecord>> ListActive() override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountByState() override;
  Result<std::optional<ExperimentRecord>> ClaimNext(int64_t now_unix_ns, const std::string& results_root) override;
  Status SetActiveState(const std::string& id, ExperimentState state) override;
  Status SetHeadline(const std::string& id, const std::string& headline_json) override;
  Status Finish(const std::string& id, const TerminalUpdate& update, int64_t now_unix_ns) override;
  Result<bool> CancelIfQueued(const std::string& id, int64_t now_unix_ns) override;
  Status MarkCancelRequested(const std::string& id) override;

 private:
  explicit SqliteExperimentQueue(void* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const std::string& sql);
  void* db_;  // sqlite3*; every use under mutex_
  std::string path_;
  std::mutex mutex_;
};

}  // namespace bakeoff
