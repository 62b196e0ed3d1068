// Parsing of quantities with units, as written in experiment files and on the command line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bakeoff {

// "100B", "100", "1KiB", "1.5MiB", "4KB" (KB = 1000, KiB = 1024), "1GiB". Result in bytes.
Result<int64_t> ParseBytes(std::string_view text);

// "500ms", "30s", "2m", "1h", "250us", "100ns", "1m30s". Result in nanoseconds. A bare number is an
// error (the unit is required).
Result<int64_t> ParseDurationNs(std::string_view text);

// "20k/s", "1.5M/s", "500/s", "20000". Result in messages per second. "max" is handled by the caller.
Result<double> ParseRatePerSecond(std::string_view text);

// Human-readable renderings used in tables: "1.2 KiB", "250 ms", "1.5 M".
std::string FormatBytes(double bytes);
std::string FormatDurationNs(double ns);
std::string FormatCount(double count);

}  // namespace bakeoff
