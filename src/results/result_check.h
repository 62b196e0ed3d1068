// Reading result.json files that may be corrupt, truncated, foreign or hand-edited: every reader
// (report, compare, results list/show/reindex, run's indexing) loads through LoadResultFile(), so the
// renderers behind it can rely on the shape ResultToJson() writes and never see a type they do not
// expect.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace bakeoff {

// A result.json larger than this is refused (a day-long run with per-second series is ~30 MB).
inline constexpr uint64_t kMaxResultFileBytes = uint64_t{256} << 20;
// Nesting deeper than this is refused while parsing (result.json nests 6 levels).
inline constexpr int kMaxResultJsonDepth = 64;

// Checks the types of every field the readers use and fills in the containers they index without
// checking (`runs[].metrics` null, `experiment` and `environment.host` empty objects). Errors name
// `file` and the field, e.g. "r/result.json: runs[0].metrics.accounting.lost: expected an integer, got
// string".
Status CheckResultJson(nlohmann::json& result, const std::string& file);

// Loads result.json from a result directory or a path to the file itself: only a regular file of at
// most kMaxResultFileBytes, nesting at most kMaxResultJsonDepth, passing CheckResultJson().
// NotFound when absent; InvalidArgument (naming the file and field) when unreadable or malformed.
Result<nlohmann::json> LoadResultFile(const std::string& dir_or_file);

}  // namespace bakeoff
