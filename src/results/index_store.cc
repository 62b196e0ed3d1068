#include "results/index_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>

#include "results/result_check.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

sqlite3* Db(void* p) {
  return static_cast<sqlite3*>(p);
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS results (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  started_unix_ns INTEGER NOT NULL,
  systems TEXT NOT NULL,
  partial INTEGER NOT NULL,
  path TEXT NOT NULL,
  runs INTEGER NOT NULL,
  failed_runs INTEGER NOT NULL,
  received_msgs_per_s REAL NOT NULL,
  e2e_p99_ns REAL NOT NULL,
  lost INTEGER NOT NULL,
  per_system TEXT NOT NULL,
  verdicts TEXT NOT NULL);
)sql";

constexpr const char* kColumns =
    "id, name, started_unix_ns, systems, partial, path, runs, failed_runs, received_msgs_per_s, e2e_p99_ns, "
    "lost, per_system, verdicts";

Status SqlError(sqlite3* db, const std::string& what) {
  return IoError("results index: " + what + ": " + sqlite3_errmsg(db));
}

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  void Text(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.c_str(), -1, SQLITE_TRANSIENT); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string ColumnText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

IndexedResult ReadRow(sqlite3_stmt* s) {
  IndexedResult r;
  r.id = ColumnText(s, 0);
  r.name = ColumnText(s, 1);
  r.started_unix_ns = sqlite3_column_int64(s, 2);
  r.systems = ColumnText(s, 3);
  r.partial = sqlite3_column_int(s, 4) != 0;
  r.path = ColumnText(s, 5);
  r.runs = sqlite3_column_int(s, 6);
  r.failed_runs = sqlite3_column_int(s, 7);
  r.received_msgs_per_s = sqlite3_column_double(s, 8);
  r.e2e_p99_ns = sqlite3_column_double(s, 9);
  r.lost = sqlite3_column_int64(s, 10);
  const json systems = json::parse(ColumnText(s, 11), nullptr, false);
  if (systems.is_array()) {
    for (const json& f : systems) {
      if (!f.is_object()) continue;
      r.per_system.push_back({f.value("system", std::string()), f.value("runs", 0),
                              f.value("min_msgs_per_s", 0.0), f.value("max_msgs_per_s", 0.0),
                              f.value("min_p99_ns", 0.0), f.value("max_p99_ns", 0.0),
                              f.value("stand_in", std::string())});
    }
  }
  r.verdicts = ColumnText(s, 12);
  return r;
}

std::string PerSystemJson(const std::vector<SystemFigures>& figures) {
  json out = json::array();
  for (const SystemFigures& f : figures) {
    out.push_back({{"system", f.system},
                   {"runs", f.runs},
                   {"min_msgs_per_s", f.min_received_msgs_per_s},
                   {"max_msgs_per_s", f.max_received_msgs_per_s},
                   {"min_p99_ns", f.min_e2e_p99_ns},
                   {"max_p99_ns", f.max_e2e_p99_ns}});
    if (!f.stand_in.empty()) out.back()["stand_in"] = f.stand_in;
  }
  return out.dump();
}

// "5.00 k" or "2.00 k .. 8.00 k".
std::string Span(double low, double high, std::string (*format)(double)) {
  if (high <= 0) return "-";
  return low == high ? format(low) : format(low) + " .. " + format(high);
}

std::string FormatUtc(int64_t unix_ns) {
  const std::time_t t = static_cast<std::time_t>(unix_ns / 1000000000);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &utc);
  return buf;
}

}  // namespace

std::string ResolveResultsDir(const std::string& flag, const std::string& fallback) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("BAKEOFF_RESULTS_DIR");
  if (env != nullptr && *env != '\0') return env;
  return fallback;
}

Result<int64_t> ParseSinceDate(const std::string& text) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
  const bool date_only = n == 3 && text.size() == 10;
  const bool full = n == 7 && tail == 'Z' && text.size() == 20;
  if ((!date_only && !full) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("--since `" + text +
                           "`: expected a UTC date like 2026-11-01 or 2026-11-01T12:00:00Z");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t seconds = static_cast<int64_t>(timegm(&tm));
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000000000;  // year 2262
  return seconds >= kMaxSeconds ? std::numeric_limits<int64_t>::max() : seconds * 1000000000;
}

IndexedResult SummarizeForIndex(const json& result, const std::string& dir) {
  IndexedResult r;
  const fs::path path = fs::absolute(dir).lexically_normal();
  r.path = path.string();
  r.id = path.filename().empty() ? path.parent_path().filename().string() : path.filename().string();
  if (r.path.size() > 1 && r.path.back() == '/') r.path.pop_back();
  r.name = result.value("/experiment/name"_json_pointer, std::string());
  r.started_unix_ns = result.value("started_unix_ns", int64_t{0});
  r.partial = result.value("partial", false);
  double throughput = 0, p99 = 0;
  int measured = 0;
  std::vector<std::string> systems;
  // Worst first, so the first word of the summary is the one to worry about.
  std::vector<std::pair<std::string, int>> verdicts = {
      {"failed", 0},        {"interrupted", 0}, {"cancelled", 0}, {"threshold_failed", 0},
      {"not_sustained", 0}, {"no_data", 0},     {"ok", 0}};
  for (const json& run : result.value("runs", json::array())) {
    const std::string system = run.value("system", std::string());
    if (std::find(systems.begin(), systems.end(), system) == systems.end()) systems.push_back(system);
    ++r.runs;
    std::string status = run.value("status", std::string("ok"));
    bool threshold_failed = false;
    for (const json& t : run.value("thresholds", json::array()))
      threshold_failed = threshold_failed || (t.is_object() && !t.value("passed", true));
    if (status == "ok" && threshold_failed) status = "threshold_failed";
    if (status != "ok") ++r.failed_runs;
    auto verdict =
        std::find_if(verdicts.begin(), verdicts.end(), [&](const auto& v) { return v.first == status; });
    if (verdict == verdicts.end()) verdict = verdicts.insert(verdicts.begin(), {status, 0});
    ++verdict->second;
    auto figures = std::find_if(r.per_system.begin(), r.per_system.end(),
                                [&](const SystemFigures& f) { return f.system == system; });
    if (figures == r.per_system.end())
      figures = r.per_system.insert(r.per_system.end(), SystemFigures{system});
    ++figures->runs;
    const json facts = run.value("environment_facts", json::object());
    if (figures->stand_in.empty() && facts.is_object() && facts.contains("stand_in") &&
        facts["stand_in"].is_string()) {
      figures->stand_in = facts["stand_in"].get<std::string>();
    }
    const json& m = run.contains("metrics") ? run["metrics"] : json();
    if (!m.is_object()) continue;
    ++measured;
    const double run_throughput = m.value("/throughput/received_msgs_per_s"_json_pointer, 0.0);
    const double run_p99 = m.value("/e2e_latency_ns/corrected/p99"_json_pointer, 0.0);
    throughput += run_throughput;
    p99 += run_p99;
    r.lost += m.value("/accounting/lost"_json_pointer, int64_t{0});
    const bool first = figures->max_received_msgs_per_s == 0 && figures->max_e2e_p99_ns == 0;
    figures->min_received_msgs_per_s =
        first ? run_throughput : std::min(figures->min_received_msgs_per_s, run_throughput);
    figures->max_received_msgs_per_s = std::max(figures->max_received_msgs_per_s, run_throughput);
    if (run_p99 > 0) {
      figures->min_e2e_p99_ns =
          figures->min_e2e_p99_ns > 0 ? std::min(figures->min_e2e_p99_ns, run_p99) : run_p99;
      figures->max_e2e_p99_ns = std::max(figures->max_e2e_p99_ns, run_p99);
    }
  }
  if (measured > 0) {
    r.received_msgs_per_s = throughput / measured;
    r.e2e_p99_ns = p99 / measured;
  }
  for (const auto& [name, count] : verdicts) {
    if (count > 0) r.verdicts += (r.verdicts.empty() ? "" : ", ") + std::to_string(count) + " " + name;
  }
  for (size_t i = 0; i < systems.size(); ++i) r.systems += (i ? "," : "") + systems[i];
  return r;
}

namespace {

// Opens `file` and makes sure it is an index of this schema. `rebuild` is set when the file had no
// results table (new, or the table was dropped).
Result<sqlite3*> OpenChecked(const std::string& file, bool* rebuild) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    Status st = SqlError(db, "cannot open " + file);
    sqlite3_close(db);
    return st;
  }
  sqlite3_busy_timeout(db, 5000);
  auto fail = [&](const std::string& what) -> Result<sqlite3*> {
    Status st = SqlError(db, what + " " + file);
    sqlite3_close(db);
    return st;
  };
  {
    Statement check(db, "PRAGMA quick_check");
    if (check.get() == nullptr || sqlite3_step(check.get()) != SQLITE_ROW ||
        ColumnText(check.get(), 0) != "ok")
      return fail("integrity check failed for");
  }
  bool has_table = false;
  {
    Statement table(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'results'");
    if (table.get() == nullptr) return fail("cannot read the schema of");
    const int rc = sqlite3_step(table.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail("cannot read the schema of");
    has_table = rc == SQLITE_ROW;
  }
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("cannot create the schema in");
  bool current = false;
  {
    Statement columns(db, (std::string("SELECT ") + kColumns + " FROM results LIMIT 0").c_str());
    current = columns.get() != nullptr;
  }
  if (!current) {
    // An index written by an older bakeoff (the columns up to `lost`): derived data, so rebuilt in place.
    Statement older(db,
                    "SELECT id, name, started_unix_ns, systems, partial, path, runs, failed_runs, "
                    "received_msgs_per_s, e2e_p99_ns, lost FROM results LIMIT 0");
    if (older.get() == nullptr) return fail("not a bakeoff results index (other columns):");
    if (sqlite3_exec(db, "DROP TABLE results", nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail("cannot upgrade the schema of");
    has_table = false;
  }
  *rebuild = !has_table;
  return db;
}

}  // namespace

Result<ResultIndex> ResultIndex::Open(const std::string& root, std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return IoError("cannot create results directory " + root + ": " + ec.message());
  const std::string file = (fs::path(root) / "index.sqlite").string();
  bool rebuild = false;
  Result<sqlite3*> db = OpenChecked(file, &rebuild);
  if (!db.ok() && fs::exists(file)) {
    // Derived data: move the unusable file aside (kept for inspection) and start afresh.
    const std::string aside = file + ".corrupt-" + std::to_string(std::time(nullptr));
    fs::rename(file, aside, ec);
    if (ec) return IoError(db.status().message() + "; and cannot move it aside: " + ec.message());
    for (const char* suffix : {"-journal", "-wal", "-shm"}) fs::remove(file + suffix, ec);
    if (warnings != nullptr)
      warnings->push_back(db.status().message() + "; moved to " + aside + " and rebuilt");
    db = OpenChecked(file, &rebuild);
  }
  if (!db.ok()) return db.status();
  ResultIndex index(root, *db);
  if (rebuild) {
    Result<int> rebuilt = index.Rebuild(warnings);
    if (!rebuilt.ok()) return rebuilt.status();
  }
  return index;
}

ResultIndex::ResultIndex(ResultIndex&& other) noexcept : root_(std::move(other.root_)), db_(other.db_) {
  other.db_ = nullptr;
}

ResultIndex::~ResultIndex() {
  sqlite3_close(Db(db_));
}

Status ResultIndex::Add(const std::string& dir) {
  Result<json> loaded = LoadResultFile(dir);
  if (!loaded.ok()) return loaded.status();
  const IndexedResult r = SummarizeForIndex(*loaded, dir);
  Statement s(Db(db_), (std::string("INSERT OR REPLACE INTO results (") + kColumns +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                           .c_str());
  if (s.get() == nullptr) return SqlError(Db(db_), "prepare insert");
  s.Text(1, r.id);
  s.Text(2, r.name);
  sqlite3_bind_int64(s.get(), 3, r.started_unix_ns);
  s.Text(4, r.systems);
  sqlite3_bind_int(s.get(), 5, r.partial ? 1 : 0);
  s.Text(6, r.path);
  sqlite3_bind_int(s.get(), 7, r.runs);
  sqlite3_bind_int(s.get(), 8, r.failed_runs);
  sqlite3_bind_double(s.get(), 9, r.received_msgs_per_s);
  sqlite3_bind_double(s.get(), 10, r.e2e_p99_ns);
  sqlite3_bind_int64(s.get(), 11, r.lost);
  s.Text(12, PerSystemJson(r.per_system));
  s.Text(13, r.verdicts);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return SqlError(Db(db_), "cannot index " + dir);
  return Status::Ok();
}

Result<int> ResultIndex::Rebuild(std::vector<std::string>* skipped) {
  if (sqlite3_exec(Db(db_), "DELETE FROM results", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return SqlError(Db(db_), "cannot clear");
  }
  int count = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_, ec)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "result.json")) continue;
    if (Status st = Add(entry.path().string()); st.ok()) {
      ++count;
    } else if (skipped != nullptr) {
      skipped->push_back("skipped " + entry.path().string() + ": " + st.message());
    }
  }
  if (ec) return IoError("cannot list " + root_ + ": " + ec.message());
  return count;
}

Result<std::vector<IndexedResult>> ResultIndex::List(const IndexFilter& filter) const {
  Statement s(Db(db_),
              (std::string("SELECT ") + kColumns +
               " FROM results WHERE (?1 = '' OR name = ?1) AND (?2 = '' OR instr(',' || systems || ',', "
               "',' || ?2 || ',') > 0) AND started_unix_ns >= ?3 ORDER BY started_unix_ns, id")
                  .c_str());
  if (s.get() == nullptr) return SqlError(Db(db_), "prepare list");
  s.Text(1, filter.name);
  s.Text(2, filter.system);
  sqlite3_bind_int64(s.get(), 3, filter.since_unix_ns);
  std::vector<IndexedResult> rows;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) rows.push_back(ReadRow(s.get()));
  if (rc != SQLITE_DONE) return SqlError(Db(db_), "list");
  return rows;
}

Result<IndexedResult> ResultIndex::Find(const std::string& id) const {
  Statement s(Db(db_), (std::string("SELECT ") + kColumns + " FROM results WHERE id = ?1").c_str());
  if (s.get() == nullptr) return SqlError(Db(db_), "prepare find");
  s.Text(1, id);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return ReadRow(s.get());
  return NotFound("no result `" + id + "` in " + (fs::path(root_) / "index.sqlite").string() +
                  " (`bakeoff results list` shows the ids)");
}

std::string RenderIndexTable(const std::vector<IndexedResult>& rows) {
  if (rows.empty()) return "no results\n";
  std::vector<std::vector<std::string>> cells = {
      {"ID", "NAME", "STARTED (UTC)", "SYSTEM", "RUNS", "RECV MSG/S", "E2E P99", "LOST", "STATUS"}};
  std::vector<std::string> notes;  // the stand-ins, in listing order
  for (const IndexedResult& r : rows) {
    std::string status = r.verdicts.empty() ? "no runs" : r.verdicts;
    if (r.partial) status = "partial: " + status;
    cells.push_back({r.id, r.name, FormatUtc(r.started_unix_ns), r.systems, std::to_string(r.runs), "", "",
                     std::to_string(r.lost), status});
    // A line per system: its own figures (a range over its matrix points and repeats), never an average
    // across systems.
    for (const SystemFigures& f : r.per_system) {
      if (!f.stand_in.empty()) {
        const std::string note = "* stand-in: " + r.id + ": " + f.system + " ran on " + f.stand_in;
        if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
      }
      cells.push_back({"", "", "", "  " + f.system + (f.stand_in.empty() ? "" : " *"), std::to_string(f.runs),
                       Span(f.min_received_msgs_per_s, f.max_received_msgs_per_s, FormatCount),
                       Span(f.min_e2e_p99_ns, f.max_e2e_p99_ns, FormatDurationNs), "", ""});
    }
  }
  std::vector<size_t> widths(cells[0].size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  for (const std::string& note : notes) out += note + "\n";
  return out;
}

}  // namespace bakeoff
