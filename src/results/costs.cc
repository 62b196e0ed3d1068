#include "results/costs.h"

namespace bakeoff {

RunCosts ComputeCosts(const RunRecord& run) {
  RunCosts c;
  c.span_s = run.load_wall_s;
  c.client_cpu_seconds = run.client_cpu_seconds;
  c.messages = run.has_metrics ? run.metrics.accounting.sent : 0;
  for (const ProcessUsage& u : run.resources) {
    c.has_server = true;
    c.server_cpu_seconds += u.cpu_seconds;
    c.server_peak_rss_bytes += u.max_rss_bytes;
    c.server_bytes_written += u.bytes_written;
  }
  if (c.span_s > 0) {
    c.server_cores = c.server_cpu_seconds / c.span_s;
    c.client_cores = c.client_cpu_seconds / c.span_s;
  }
  if (c.messages > 0) {
    const double m = static_cast<double>(c.messages);
    if (c.has_server && c.server_cpu_seconds > 0) c.msgs_per_server_cpu_s = m / c.server_cpu_seconds;
    if (c.has_server) c.mb_written_per_million_msgs = static_cast<double>(c.server_bytes_written) / m;
    if (c.client_cpu_seconds > 0) c.msgs_per_client_cpu_s = m / c.client_cpu_seconds;
  }
  return c;
}

nlohmann::json CostsToJson(const RunCosts& c) {
  nlohmann::json j = {{"span_s", c.span_s},
                      {"messages", c.messages},
                      {"client_cpu_seconds", c.client_cpu_seconds},
                      {"client_cores", c.client_cores}};
  if (c.msgs_per_client_cpu_s) j["msgs_per_client_cpu_s"] = *c.msgs_per_client_cpu_s;
  if (c.has_server) {
    j["server_cpu_seconds"] = c.server_cpu_seconds;
    j["server_cores"] = c.server_cores;
    j["server_peak_rss_bytes"] = c.server_peak_rss_bytes;
    j["server_bytes_written"] = c.server_bytes_written;
    if (c.msgs_per_server_cpu_s) j["msgs_per_server_cpu_s"] = *c.msgs_per_server_cpu_s;
    if (c.mb_written_per_million_msgs) j["mb_written_per_million_msgs"] = *c.mb_written_per_million_msgs;
  }
  return j;
}

}  // namespace bakeoff
