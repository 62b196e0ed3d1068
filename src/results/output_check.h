// Checks that a result directory can be written, so that `bakeoff run` refuses before it provisions
// anything (exit 2 naming the path) instead of failing after the whole run.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace bakeoff {

// Room a run needs at least for result.json, report.html, CSV and hlogs of a typical experiment.
inline constexpr uint64_t kMinFreeOutputBytes = uint64_t{64} << 20;

// Ok when `dir` exists as a writable directory, or can be created (every existing ancestor is a
// directory and the nearest one is writable), no path component is longer than the file system allows
// (with room for the names bakeoff writes inside), and the file system has `min_free_bytes` available.
// Writes and removes a probe file (so read-only mounts and permissions are found as the run would).
// Errors (InvalidArgument) name the path and what is wrong; nothing is created.
Status CheckOutputDir(const std::string& dir, uint64_t min_free_bytes = kMinFreeOutputBytes);

}  // namespace bakeoff
