// The local results store: result directories under one root, indexed in <root>/index.sqlite so that
// `bakeoff results list|show` need not read every result.json. The index is derived data: it can be
// rebuilt from the directories at any time (`bakeoff results reindex`, or lazily when missing).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff {

// One system's figures in a result, over its runs (matrix points and repeats): a range when they differ.
struct SystemFigures {
  std::string system;
  int runs = 0;
  double min_received_msgs_per_s = 0, max_received_msgs_per_s = 0;
  double min_e2e_p99_ns = 0, max_e2e_p99_ns = 0;  // corrected; 0 when no run measured one
  // environment_facts.stand_in of its runs ("librdkafka mock cluster (not Apache Kafka)"); empty for the
  // real thing and for results written before the field existed.
  std::string stand_in;
};

// One indexed result directory.
struct IndexedResult {
  std::string id;  // the directory's name
  std::string name;
  int64_t started_unix_ns = 0;
  std::string systems;  // comma-separated, in run order, without repeats
  bool partial = false;
  std::string path;  // absolute path of the directory
  int runs = 0;
  int failed_runs = 0;
  double received_msgs_per_s = 0;  // headline metrics: mean over runs with metrics
  double e2e_p99_ns = 0;           // corrected
  int64_t lost = 0;                // sum over runs
  // Per system, in run order: `results list` never averages figures across different systems.
  std::vector<SystemFigures> per_system;
  // The runs' verdicts counted, worst first: "1 threshold_failed, 1 not_sustained, 2 ok". A run whose
  // status is ok but that failed a threshold counts as threshold_failed.
  std::string verdicts;
};

struct IndexFilter {
  std::string name;    // exact experiment name
  std::string system;  // one of the result's systems
  int64_t since_unix_ns = 0;
};

// The results root: `flag` if given, else $BAKEOFF_RESULTS_DIR, else `fallback`.
std::string ResolveResultsDir(const std::string& flag, const std::string& fallback = "results");

// Parses "2026-11-01" or "2026-11-01T12:00:00Z" (UTC) into Unix nanoseconds.
Result<int64_t> ParseSinceDate(const std::string& text);

// The index row for a result directory's result.json.
IndexedResult SummarizeForIndex(const nlohmann::json& result, const std::string& dir);

class ResultIndex {
 public:
  // Opens (creating if needed) `root`/index.sqlite. When the file did not exist or had no results
  // table, the index is rebuilt from the result directories under `root`. A file that is not an index
  // of this schema (random bytes, truncated, another program's database, other columns) is moved
  // aside to index.sqlite.corrupt-<unix seconds> and rebuilt; that, and each result directory the
  // rebuild skipped, is appended to `warnings` (when given). Errors (IoError) name the file.
  static Result<ResultIndex> Open(const std::string& root, std::vector<std::string>* warnings = nullptr);
  ResultIndex(ResultIndex&& other) noexcept;
  ResultIndex& operator=(ResultIndex&&) = delete;
  ResultIndex(const ResultIndex&) = delete;
  ~ResultIndex();

  // Indexes (or re-indexes) one result directory.
  Status Add(const std::string& dir);
  // Drops every row and indexes each directory under the root holding a result.json. Returns the count;
  // a directory whose result.json cannot be read is left out and named in `skipped` ("path: why").
  Result<int> Rebuild(std::vector<std::string>* skipped = nullptr);
  Result<std::vector<IndexedResult>> List(const IndexFilter& filter) const;
  Result<IndexedResult> Find(const std::string& id) const;

  const std::string& root() const { return root_; }

 private:
  ResultIndex(std::string root, void* db) : root_(std::move(root)), db_(db) {}
  std::string root_;
  void* db_ = nullptr;  // sqlite3*
};

// The `bakeoff results list` table: a line per result, then a line per system with its figures; a system
// that ran on a stand-in is marked `*` and named in a footnote under the table.
std::string RenderIndexTable(const std::vector<IndexedResult>& rows);

}  // namespace bakeoff
