#include "results/run_table_input.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/hdr_log.h"

namespace bakeoff {
namespace {

using nlohmann::json;

RunStatus StatusFromName(const std::string& name) {
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kInterrupted, RunStatus::kCancelled,
                      RunStatus::kNotSustained, RunStatus::kNoData}) {
    if (name == RunStatusName(s)) return s;
  }
  return RunStatus::kFailed;
}

uint64_t Count(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_number_unsigned()
             ? object[key].get<uint64_t>()
             : 0;
}

// The run's histograms: every interval of a tag merged.
Status ReadHistograms(const std::string& file, RunMetrics& m) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<HlogInterval>> intervals = ParseHlog(text.str());
  if (!intervals.ok()) return InvalidArgument(file + ": " + intervals.status().message());
  for (const HlogInterval& interval : *intervals) {
    if (interval.tag == "e2e_corrected") m.e2e.corrected.Merge(interval.histogram);
    if (interval.tag == "e2e_uncorrected") m.e2e.uncorrected.Merge(interval.histogram);
    if (interval.tag == "publish_corrected") m.publish.corrected.Merge(interval.histogram);
    if (interval.tag == "publish_uncorrected") m.publish.uncorrected.Merge(interval.histogram);
  }
  return Status::Ok();
}

}  // namespace

Result<ExperimentResult> ReadRunTableInput(const json& result, const std::string& dir) {
  ExperimentResult out;
  out.experiment.name = result.value("/experiment/name"_json_pointer, std::string());
  out.partial = result.value("partial", false);
  for (const json& run : result.value("runs", json::array())) {
    if (!run.is_object()) continue;
    RunRecord r;
    r.system = run.value("system", std::string());
    r.driver = run.value("driver", std::string());
    r.provider = run.value("provider", std::string());
    r.status = StatusFromName(run.value("status", std::string("ok")));
    if (run.contains("error_detail") && run["error_detail"].is_object()) {
      r.error.phase = run["error_detail"].value("phase", std::string());
      r.error.code = StatusCode::kInternal;
      const std::string code = run["error_detail"].value("code", std::string());
      for (int c = 1; c <= static_cast<int>(StatusCode::kUnauthenticated); ++c) {
        if (code == StatusCodeName(static_cast<StatusCode>(c))) r.error.code = static_cast<StatusCode>(c);
      }
      r.error.message = run["error_detail"].value("message", std::string());
    }
    for (const char* section : {"environment_facts", "driver_facts"}) {
      auto& facts = std::string(section) == "driver_facts" ? r.driver_facts : r.environment_facts;
      const json values = run.value(section, json::object());  // items() of a temporary would dangle
      for (const auto& [key, value] : values.items())
        facts[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
    for (const json& u : run.value("resources", json::array())) {
      ProcessUsage usage;
      usage.name = u.value("name", std::string());
      usage.cpu_seconds = u.value("cpu_seconds", 0.0);
      usage.max_rss_bytes = u.value("max_rss_bytes", int64_t{0});
      usage.bytes_written = u.value("bytes_written", int64_t{0});
      r.resources.push_back(std::move(usage));
    }
    if (run.contains("capabilities") && run["capabilities"].is_object()) {
      const json& c = run["capabilities"];
      r.promises = RunRecord::Promises{.ordered_per_stream = c.value("ordered_per_stream", true),
                                       .confirms_publish = c.value("confirms_publish", true),
                                       .durable = c.value("durable", false)};
    }
    const json costs = run.value("costs", json::object());
    r.load_wall_s = costs.value("span_s", 0.0);
    r.client_cpu_seconds = costs.value("client_cpu_seconds", 0.0);
    const json& m = run.contains("metrics") ? run["metrics"] : json();
    if (m.is_object()) {
      r.has_metrics = true;
      RunMetrics& metrics = r.metrics;
      metrics.closed_loop = m.value("rate_mode", std::string()).rfind("max", 0) == 0;
      metrics.partial = m.value("partial", false);
      metrics.measured_ns = m.value("measured_ns", int64_t{0});
      const double seconds = static_cast<double>(metrics.measured_ns) / 1e9;
      const json throughput = m.value("throughput", json::object());
      metrics.measured_sent = std::llround(throughput.value("sent_msgs_per_s", 0.0) * seconds);
      metrics.measured_received = std::llround(throughput.value("received_msgs_per_s", 0.0) * seconds);
      metrics.measured_received_bytes =
          std::llround(throughput.value("received_mb_per_s", 0.0) * 1e6 * seconds);
      const json accounting = m.value("accounting", json::object());
      metrics.accounting.sent = Count(accounting, "sent");
      metrics.accounting.acked = Count(accounting, "acked");
      metrics.accounting.send_errors = Count(accounting, "send_errors");
      metrics.accounting.received = Count(accounting, "received");
      metrics.accounting.lost = Count(accounting, "lost");
      metrics.accounting.duplicated = Count(accounting, "duplicated");
      metrics.accounting.out_of_order = Count(accounting, "out_of_order");
      metrics.accounting.unparseable = Count(accounting, "unparseable");
      for (const json& s : accounting.value("subscriptions", json::array())) {
        SubscriptionMetrics sub;
        sub.index = s.value("index", 0);
        sub.accounting.received = Count(s, "received");
        sub.accounting.lost = Count(s, "lost");
        sub.accounting.duplicated = Count(s, "duplicated");
        metrics.subscriptions.push_back(sub);
      }
      if (run.contains("hlog") && run["hlog"].is_string()) {
        const std::string file = (std::filesystem::path(dir) / run["hlog"].get<std::string>()).string();
        if (Status st = ReadHistograms(file, metrics); !st.ok()) return st;
      }
    }
    out.runs.push_back(std::move(r));
  }
  return out;
}

}  // namespace bakeoff
