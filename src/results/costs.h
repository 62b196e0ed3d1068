// What a run cost beside how fast it was: the servers' CPU, memory and writes (sampled from /proc by
// the local environments) and the load generator's own CPU, with the per-message ratios a team
// compares (messages per server CPU-second, MB written per million messages).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "results/result.h"

namespace bakeoff {

struct RunCosts {
  bool has_server = false;            // server processes were sampled (local environments)
  double server_cpu_seconds = 0;      // user + system, all of the system's server processes
  double server_cores = 0;            // server_cpu_seconds / span
  int64_t server_peak_rss_bytes = 0;  // sum over processes of each one's peak
  int64_t server_bytes_written = 0;   // to storage
  double client_cpu_seconds = 0;      // the bakeoff process over the same span (load generator + clients)
  double client_cores = 0;
  double span_s = 0;      // wall time the figures cover (warm-up, measured window, drain)
  uint64_t messages = 0;  // sent over the span (warm-up included)
  std::optional<double> msgs_per_server_cpu_s;
  std::optional<double> mb_written_per_million_msgs;
  std::optional<double> msgs_per_client_cpu_s;
};

RunCosts ComputeCosts(const RunRecord& run);

// result.json's `runs[].costs`; absent figures are left out.
nlohmann::json CostsToJson(const RunCosts& costs);

}  // namespace bakeoff
