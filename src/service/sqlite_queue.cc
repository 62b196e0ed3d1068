#include "service/sqlite_queue.h"

#include <sqlite3.h>

#include <sstream>

namespace bakeoff {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS experiments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  systems TEXT NOT NULL,          -- ",a,b," so that one system matches LIKE '%,a,%'
  state TEXT NOT NULL,
  spec_text TEXT NOT NULL,
  spec_format TEXT NOT NULL,
  submitted_ns INTEGER NOT NULL,
  started_ns INTEGER NOT NULL DEFAULT 0,
  finished_ns INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,
  error TEXT NOT NULL DEFAULT '',
  result_dir TEXT NOT NULL DEFAULT '',
  headline TEXT NOT NULL DEFAULT '[]',
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS experiments_state ON experiments(state, seq);
CREATE INDEX IF NOT EXISTS experiments_name ON experiments(name, seq);
)sql";

constexpr const char* kColumns =
    "seq, id, name, systems, state, spec_text, spec_format, submitted_ns, started_ns, finished_ns, exit_code, "
    "error, result_dir, headline, cancel_requested";

// One prepared statement; finalized on scope exit. Bind indexes are 1-based.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  int Step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* get() { return stmt_; }
  Status Error(const std::string& what) const {
    return IoError("experiment queue: " + what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s, col)) : std::string();
}

std::string JoinSystems(const std::vector<std::string>& systems) {
  std::string out = ",";
  for (const std::string& s : systems) out += s + ",";
  return out;
}

std::vector<std::string> SplitSystems(const std::string& joined) {
  std::vector<std::string> out;
  std::stringstream in(joined);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

ExperimentRecord ReadRow(sqlite3_stmt* s) {
  ExperimentRecord r;
  r.seq = sqlite3_column_int64(s, 0);
  r.id = Text(s, 1);
  r.name = Text(s, 2);
  r.systems = SplitSystems(Text(s, 3));
  r.state = ParseExperimentState(Text(s, 4)).value_or(ExperimentState::kFailed);
  r.spec_text = Text(s, 5);
  r.spec_format = Text(s, 6);
  r.submitted_unix_ns = sqlite3_column_int64(s, 7);
  r.started_unix_ns = sqlite3_column_int64(s, 8);
  r.finished_unix_ns = sqlite3_column_int64(s, 9);
  if (sqlite3_column_type(s, 10) != SQLITE_NULL) r.exit_code = sqlite3_column_int(s, 10);
  r.error = Text(s, 11);
  r.result_dir = Text(s, 12);
  r.headline_json = Text(s, 13);
  r.cancel_requested = sqlite3_column_int(s, 14) != 0;
  return r;
}

sqlite3* Db(void* db) { return static_cast<sqlite3*>(db); }

}  // namespace

Result<std::unique_ptr<SqliteExperimentQueue>> SqliteExperimentQueue::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return IoError("cannot open the experiment queue " + path + ": " + message +
                   " (check that --data names a writable directory)");
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<SqliteExperimentQueue> queue(new SqliteExperimentQueue(db, path));
  BAKEOFF_RETURN_IF_ERROR(queue->Exec("PRAGMA journal_mode=WAL"));
  BAKEOFF_RETURN_IF_ERROR(queue->Exec("PRAGMA synchronous=FULL"));
  BAKEOFF_RETURN_IF_ERROR(queue->Exec(kSchema));
  return queue;
}

SqliteExperimentQueue::~SqliteExperimentQueue() { sqlite3_close(Db(db_)); }

Status SqliteExperimentQueue::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(Db(db_), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return IoError("experiment queue " + path_ + ": " + message);
  }
  return Status::Ok();
}

Result<ExperimentRecord> SqliteExperimentQueue::Enqueue(ExperimentRecord record, int max_queued) {
  std::lock_guard<std::mutex> lock(mutex_);
  BAKEOFF_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  if (max_queued > 0) {
    Statement count(Db(db_), "SELECT COUNT(*) FROM experiments WHERE state = 'queued'");
    if (!count.ok() || count.Step() != SQLITE_ROW) {
      (void)Exec("ROLLBACK");
      return count.Error("count");
    }
    if (sqlite3_column_int64(count.get(), 0) >= max_queued) {
      (void)Exec("ROLLBACK");
      return QueueFull("the queue holds " + std::to_string(max_queued) +
                       " experiments already (--max-queued); retry when one has run");
    }
  }
  Statement insert(Db(db_),
                   "INSERT INTO experiments (id, name, systems, state, spec_text, spec_format, submitted_ns) "
                   "VALUES (?, ?, ?, 'queued', ?, ?, ?)");
  insert.Bind(1, record.id).Bind(2, record.name).Bind(3, JoinSystems(record.systems));
  insert.Bind(4, record.spec_text).Bind(5, record.spec_format).Bind(6, record.submitted_unix_ns);
  if (!insert.ok() || insert.Step() != SQLITE_DONE) {
    Status error = insert.Error("insert " + record.id);
    (void)Exec("ROLLBACK");
    return error;
  }
  record.seq = sqlite3_last_insert_rowid(Db(db_));
  record.state = ExperimentState::kQueued;
  BAKEOFF_RETURN_IF_ERROR(Exec("COMMIT"));
  return record;
}

Result<std::optional<ExperimentRecord>> SqliteExperimentQueue::Get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), std::string("SELECT ") + kColumns + " FROM experiments WHERE id = ?");
  if (!s.ok()) return s.Error("get");
  s.Bind(1, id);
  const int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<ExperimentRecord>(ReadRow(s.get()));
  if (rc == SQLITE_DONE) return std::optional<ExperimentRecord>();
  return s.Error("get " + id);
}

Result<ExperimentPage> SqliteExperimentQueue::List(const ExperimentListQuery& query) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string sql = std::string("SELECT ") + kColumns + " FROM experiments WHERE 1=1";
  if (query.state) sql += " AND state = ?1";
  if (!query.name.empty()) sql += " AND name = ?2";
  if (!query.system.empty()) sql += " AND instr(systems, ?3) > 0";
  if (query.before_seq > 0) sql += " AND seq < ?4";
  sql += " ORDER BY seq DESC LIMIT ?5";
  Statement s(Db(db_), sql);
  if (!s.ok()) return s.Error("list");
  if (query.state) s.Bind(1, std::string(ExperimentStateName(*query.state)));
  if (!query.name.empty()) s.Bind(2, query.name);
  if (!query.system.empty()) s.Bind(3, "," + query.system + ",");
  if (query.before_seq > 0) s.Bind(4, query.before_seq);
  s.Bind(5, static_cast<int64_t>(query.limit) + 1);
  ExperimentPage page;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) page.experiments.push_back(ReadRow(s.get()));
  if (rc != SQLITE_DONE) return s.Error("list");
  if (static_cast<int>(page.experiments.size()) > query.limit) {
    page.experiments.pop_back();
    page.next_before_seq = page.experiments.back().seq;
  }
  return page;
}

Result<std::vector<std::string>> SqliteExperimentQueue::QueuedIds() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), "SELECT id FROM experiments WHERE state = 'queued' ORDER BY seq");
  if (!s.ok()) return s.Error("queued ids");
  std::vector<std::string> ids;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) ids.push_back(Text(s.get(), 0));
  if (rc != SQLITE_DONE) return s.Error("queued ids");
  return ids;
}

Result<std::vector<ExperimentRecord>> SqliteExperimentQueue::ListActive() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), std::string("SELECT ") + kColumns +
                           " FROM experiments WHERE state IN ('provisioning', 'running', 'tearing_down') "
                           "ORDER BY seq");
  if (!s.ok()) return s.Error("active");
  std::vector<ExperimentRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRow(s.get()));
  if (rc != SQLITE_DONE) return s.Error("active");
  return out;
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteExperimentQueue::CountByState() {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), "SELECT state, COUNT(*) FROM experiments GROUP BY state");
  if (!s.ok()) return s.Error("count");
  std::vector<std::pair<std::string, int64_t>> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.emplace_back(Text(s.get(), 0), sqlite3_column_int64(s.get(), 1));
  if (rc != SQLITE_DONE) return s.Error("count");
  return out;
}

Result<std::optional<ExperimentRecord>> SqliteExperimentQueue::ClaimNext(int64_t now_unix_ns,
                                                                        const std::string& results_root) {
  std::lock_guard<std::mutex> lock(mutex_);
  BAKEOFF_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Statement pick(Db(db_), std::string("SELECT ") + kColumns +
                              " FROM experiments WHERE state = 'queued' ORDER BY seq LIMIT 1");
  const int rc = pick.ok() ? pick.Step() : SQLITE_ERROR;
  if (rc == SQLITE_DONE) {
    BAKEOFF_RETURN_IF_ERROR(Exec("COMMIT"));
    return std::optional<ExperimentRecord>();
  }
  if (rc != SQLITE_ROW) {
    Status error = pick.Error("claim");
    (void)Exec("ROLLBACK");
    return error;
  }
  ExperimentRecord r = ReadRow(pick.get());
  r.state = ExperimentState::kProvisioning;
  r.started_unix_ns = now_unix_ns;
  r.result_dir = results_root + "/" + r.id;
  Statement update(Db(db_),
                   "UPDATE experiments SET state = 'provisioning', started_ns = ?, result_dir = ? WHERE seq = ?");
  update.Bind(1, now_unix_ns).Bind(2, r.result_dir).Bind(3, r.seq);
  if (!update.ok() || update.Step() != SQLITE_DONE) {
    Status error = update.Error("claim " + r.id);
    (void)Exec("ROLLBACK");
    return error;
  }
  BAKEOFF_RETURN_IF_ERROR(Exec("COMMIT"));
  return std::optional<ExperimentRecord>(std::move(r));
}

Status SqliteExperimentQueue::SetActiveState(const std::string& id, ExperimentState state) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_),
              "UPDATE experiments SET state = ? WHERE id = ? AND state IN ('provisioning', 'running', "
              "'tearing_down')");
  s.Bind(1, std::string(ExperimentStateName(state))).Bind(2, id);
  if (!s.ok() || s.Step() != SQLITE_DONE) return s.Error("set state of " + id);
  return Status::Ok();
}

Status SqliteExperimentQueue::SetHeadline(const std::string& id, const std::string& headline_json) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), "UPDATE experiments SET headline = ? WHERE id = ?");
  s.Bind(1, headline_json).Bind(2, id);
  if (!s.ok() || s.Step() != SQLITE_DONE) return s.Error("set headline of " + id);
  return Status::Ok();
}

Status SqliteExperimentQueue::Finish(const std::string& id, const TerminalUpdate& update, int64_t now_unix_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_),
              "UPDATE experiments SET state = ?, exit_code = ?, error = ?, headline = ?, finished_ns = ? "
              "WHERE id = ? AND state IN ('queued', 'provisioning', 'running', 'tearing_down')");
  s.Bind(1, std::string(ExperimentStateName(update.state))).Bind(2, static_cast<int64_t>(update.exit_code));
  s.Bind(3, update.error).Bind(4, update.headline_json).Bind(5, now_unix_ns).Bind(6, id);
  if (!s.ok() || s.Step() != SQLITE_DONE) return s.Error("finish " + id);
  if (sqlite3_changes(Db(db_)) == 0) return NotFound("experiment " + id + " is not active");
  return Status::Ok();
}

Result<bool> SqliteExperimentQueue::CancelIfQueued(const std::string& id, int64_t now_unix_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_),
              "UPDATE experiments SET state = 'cancelled', cancel_requested = 1, exit_code = 130, "
              "error = 'cancelled before it started', finished_ns = ? WHERE id = ? AND state = 'queued'");
  s.Bind(1, now_unix_ns).Bind(2, id);
  if (!s.ok() || s.Step() != SQLITE_DONE) return s.Error("cancel " + id);
  return sqlite3_changes(Db(db_)) > 0;
}

Status SqliteExperimentQueue::MarkCancelRequested(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement s(Db(db_), "UPDATE experiments SET cancel_requested = 1 WHERE id = ?");
  s.Bind(1, id);
  if (!s.ok() || s.Step() != SQLITE_DONE) return s.Error("cancel " + id);
  return Status::Ok();
}

}  // namespace bakeoff
