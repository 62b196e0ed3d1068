#include "results/result_check.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <utility>

#include "results/statistics.h"

namespace bakeoff {
namespace {

using nlohmann::json;

enum class Kind { kObject, kArray, kString, kNumber, kInteger, kBool, kObjectOrNull, kStringOrNull };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kString:
      return "a string";
    case Kind::kNumber:
      return "a number";
    case Kind::kInteger:
      return "an integer";
    case Kind::kBool:
      return "true or false";
    case Kind::kObjectOrNull:
      return "an object or null";
    case Kind::kStringOrNull:
      return "a string or null";
  }
  return "?";
}

bool Matches(const json& v, Kind k) {
  switch (k) {
    case Kind::kObject:
      return v.is_object();
    case Kind::kArray:
      return v.is_array();
    case Kind::kString:
      return v.is_string();
    case Kind::kNumber:
      return v.is_number();
    case Kind::kInteger:
      return v.is_number_integer();
    case Kind::kBool:
      return v.is_boolean();
    case Kind::kObjectOrNull:
      return v.is_object() || v.is_null();
    case Kind::kStringOrNull:
      return v.is_string() || v.is_null();
  }
  return false;
}

// Collects the first mismatch; every check after it is a no-op.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}
  bool failed() const { return !error_.ok(); }
  Status status() const { return error_; }

  // `value` itself must be of kind `k`.
  bool Is(const json& value, Kind k, const std::string& path) {
    if (failed()) return false;
    if (Matches(value, k)) return true;
    error_ =
        InvalidArgument(file_ + ": " + path + ": expected " + KindName(k) + ", got " + value.type_name() +
                        " (a corrupt or foreign result.json; rerun, or remove the directory)");
    return false;
  }
  // Each listed member of `object` that is present must be of its kind.
  void Fields(const json& object, const std::string& path,
              std::initializer_list<std::pair<const char*, Kind>> fields) {
    for (const auto& [name, kind] : fields) {
      if (object.contains(name)) Is(object[name], kind, Join(path, name));
    }
  }
  // Every member of `object` (when present under `name`) must be of kind `k`.
  void AllMembers(const json& parent, const char* name, Kind k, const std::string& path) {
    if (!parent.contains(name)) return;
    const json& object = parent[name];
    const std::string where = Join(path, name);
    if (!Is(object, Kind::kObject, where)) return;
    for (const auto& [key, value] : object.items()) Is(value, k, where + "." + key);
  }
  static std::string Join(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }

 private:
  std::string file_;
  Status error_;
};

void CheckHistogram(Checker& c, const json& h, const std::string& path) {
  if (!c.Is(h, Kind::kObject, path)) return;
  for (const auto& [key, value] : h.items()) {
    if (key != "spectrum") {
      c.Is(value, Kind::kNumber, path + "." + key);
      continue;
    }
    if (!c.Is(value, Kind::kArray, path + ".spectrum")) return;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string where = path + ".spectrum[" + std::to_string(i) + "]";
      if (!c.Is(value[i], Kind::kArray, where)) return;
      if (value[i].size() != 2) {
        c.Is(json(), Kind::kArray, where + " (a [percentile, value] pair)");
        return;
      }
      c.Is(value[i][0], Kind::kNumber, where + "[0]");
      c.Is(value[i][1], Kind::kNumber, where + "[1]");
    }
  }
}

// The run's counts, and with fan-out `subscriptions`: one object per subscription with its own counts,
// rate and e2e latency. Files written before fan-out have no `subscriptions`; both read the same.
void CheckAccounting(Checker& c, const json& m, const std::string& path) {
  if (!m.contains("accounting")) return;
  const json& accounting = m["accounting"];
  const std::string where = Checker::Join(path, "accounting");
  if (!c.Is(accounting, Kind::kObject, where)) return;
  for (const auto& [key, value] : accounting.items()) {
    if (key != "subscriptions") c.Is(value, Kind::kInteger, where + "." + key);
  }
  if (!accounting.contains("subscriptions")) return;
  const json& subscriptions = accounting["subscriptions"];
  if (!c.Is(subscriptions, Kind::kArray, where + ".subscriptions")) return;
  for (size_t i = 0; i < subscriptions.size() && !c.failed(); ++i) {
    const json& s = subscriptions[i];
    const std::string at = where + ".subscriptions[" + std::to_string(i) + "]";
    if (!c.Is(s, Kind::kObject, at)) return;
    for (const auto& [key, value] : s.items()) {
      if (key == "e2e_latency_ns") {
        if (!c.Is(value, Kind::kObject, at + ".e2e_latency_ns")) return;
        for (const auto& [correction, histogram] : value.items())
          CheckHistogram(c, histogram, at + ".e2e_latency_ns." + correction);
      } else {
        c.Is(value, key == "received_msgs_per_s" ? Kind::kNumber : Kind::kInteger, at + "." + key);
      }
    }
  }
}

void CheckMetrics(Checker& c, json& m, const std::string& path) {
  if (m.is_null() || !c.Is(m, Kind::kObject, path)) return;
  c.Fields(m, path,
           {{"rate_mode", Kind::kString},
            {"partial", Kind::kBool},
            {"stop_reason", Kind::kString},
            {"measured_ns", Kind::kNumber},
            {"errors", Kind::kArray},
            {"series", Kind::kArray}});
  c.AllMembers(m, "throughput", Kind::kNumber, path);
  CheckAccounting(c, m, path);
  for (const char* latency : {"publish_latency_ns", "e2e_latency_ns"}) {
    if (!m.contains(latency)) m[latency] = json::object();
    const std::string where = path + "." + latency;
    if (!c.Is(m[latency], Kind::kObject, where)) return;
    for (const char* correction : {"corrected", "uncorrected"}) {
      if (!m[latency].contains(correction)) m[latency][correction] = json::object();
      CheckHistogram(c, m[latency][correction], where + "." + correction);
    }
  }
  if (c.failed()) return;
  if (m.contains("errors")) {
    for (size_t i = 0; i < m["errors"].size(); ++i) {
      const std::string where = path + ".errors[" + std::to_string(i) + "]";
      if (!c.Is(m["errors"][i], Kind::kObject, where)) return;
      c.Fields(m["errors"][i], where, {{"message", Kind::kString}, {"count", Kind::kInteger}});
    }
  }
  if (m.contains("series")) {
    for (size_t i = 0; i < m["series"].size() && !c.failed(); ++i) {
      const std::string where = path + ".series[" + std::to_string(i) + "]";
      if (!c.Is(m["series"][i], Kind::kObject, where)) return;
      for (const auto& [key, value] : m["series"][i].items())
        c.Is(value, key == "warmup" ? Kind::kBool : Kind::kNumber, where + "." + key);
    }
  }
}

void CheckRun(Checker& c, json& run, const std::string& path) {
  if (!c.Is(run, Kind::kObject, path)) return;
  c.Fields(run, path,
           {{"system", Kind::kString},
            {"driver", Kind::kString},
            {"provider", Kind::kString},
            {"status", Kind::kString},
            {"error", Kind::kString},
            {"started_unix_ns", Kind::kNumber},
            {"finished_unix_ns", Kind::kNumber},
            {"environment_facts", Kind::kObject},
            {"driver_facts", Kind::kObject},
            {"resources", Kind::kArray},
            {"costs", Kind::kObject},
            {"capabilities", Kind::kObject},
            {"matrix_point", Kind::kObject},
            {"point_index", Kind::kInteger},
            {"repeat_index", Kind::kInteger},
            {"thresholds", Kind::kArray},
            {"hlog", Kind::kStringOrNull},
            {"metrics", Kind::kObjectOrNull}});
  if (c.failed()) return;
  if (run.contains("thresholds")) {
    for (size_t i = 0; i < run["thresholds"].size(); ++i) {
      const std::string where = path + ".thresholds[" + std::to_string(i) + "]";
      if (!c.Is(run["thresholds"][i], Kind::kObject, where)) return;
      c.Fields(run["thresholds"][i], where,
               {{"passed", Kind::kBool}, {"message", Kind::kString}, {"metric", Kind::kString}});
    }
  }
  if (run.contains("resources")) {
    for (size_t i = 0; i < run["resources"].size(); ++i) {
      const std::string where = path + ".resources[" + std::to_string(i) + "]";
      if (!c.Is(run["resources"][i], Kind::kObject, where)) return;
      c.Fields(run["resources"][i], where,
               {{"name", Kind::kString},
                {"series", Kind::kArray},
                {"cpu_seconds", Kind::kNumber},
                {"max_rss_bytes", Kind::kNumber},
                {"bytes_written", Kind::kNumber}});
    }
  }
  if (!run.contains("metrics")) run["metrics"] = nullptr;
  CheckMetrics(c, run["metrics"], path + ".metrics");
}

}  // namespace

Status CheckResultJson(json& result, const std::string& file) {
  Checker c(file);
  if (!c.Is(result, Kind::kObject, "the top level")) return c.status();
  if (!result.contains("runs")) return InvalidArgument(file + ": runs: missing (not a bakeoff result.json)");
  c.Fields(result, "",
           {{"schema_version", Kind::kInteger},
            {"bakeoff_version", Kind::kString},
            {"partial", Kind::kBool},
            {"started_unix_ns", Kind::kNumber},
            {"finished_unix_ns", Kind::kNumber},
            {"experiment", Kind::kObject},
            {"environment", Kind::kObject},
            {"runs", Kind::kArray},
            {"summary", Kind::kArray}});
  if (c.failed()) return c.status();
  if (!result.contains("experiment")) result["experiment"] = json::object();
  json& experiment = result["experiment"];
  c.Fields(experiment, "experiment",
           {{"name", Kind::kString},
            {"description", Kind::kString},
            {"source_file", Kind::kString},
            {"repeat", Kind::kInteger},
            {"matrix", Kind::kArray},
            {"systems", Kind::kArray},
            {"workload", Kind::kObject},
            {"thresholds", Kind::kArray}});
  if (!c.failed() && experiment.contains("matrix")) {
    for (size_t i = 0; i < experiment["matrix"].size(); ++i) {
      const std::string where = "experiment.matrix[" + std::to_string(i) + "]";
      if (!c.Is(experiment["matrix"][i], Kind::kObject, where)) break;
      c.Fields(experiment["matrix"][i], where, {{"path", Kind::kString}, {"values", Kind::kArray}});
    }
  }
  // The workload fields the report and the index read (a report of a file that passed must not throw).
  if (!c.failed() && experiment.contains("workload")) {
    json& w = experiment["workload"];
    c.Fields(w, "experiment.workload",
             {{"topics", Kind::kInteger},
              {"partitions", Kind::kInteger},
              {"producers", Kind::kInteger},
              {"consumers", Kind::kInteger},
              {"subscriptions", Kind::kInteger},
              {"warmup_ns", Kind::kNumber},
              {"duration_ns", Kind::kNumber},
              {"drain_timeout_ns", Kind::kNumber},
              {"rate", Kind::kObject},
              {"message_size", Kind::kObject},
              {"keys", Kind::kObject},
              {"payload", Kind::kObject}});
    if (!c.failed() && w.contains("rate"))
      c.Fields(w["rate"], "experiment.workload.rate",
               {{"mode", Kind::kString}, {"msgs_per_s", Kind::kNumber}});
    if (!c.failed() && w.contains("message_size"))
      c.Fields(w["message_size"], "experiment.workload.message_size",
               {{"bytes", Kind::kNumber}, {"distribution", Kind::kString}});
    if (!c.failed() && w.contains("keys"))
      c.Fields(w["keys"], "experiment.workload.keys", {{"distribution", Kind::kString}});
    if (!c.failed() && w.contains("payload"))
      c.Fields(w["payload"], "experiment.workload.payload", {{"kind", Kind::kString}});
  }
  if (!result.contains("environment")) result["environment"] = json::object();
  json& environment = result["environment"];
  c.Fields(environment, "environment", {{"bakeoff_version", Kind::kString}, {"host", Kind::kObject}});
  if (c.failed()) return c.status();
  if (!environment.contains("host")) environment["host"] = json::object();
  c.Fields(environment["host"], "environment.host",
           {{"hostname", Kind::kString},
            {"cpu_model", Kind::kString},
            {"cpu_count", Kind::kInteger},
            {"kernel", Kind::kString},
            {"memory_bytes", Kind::kNumber}});
  json& runs = result["runs"];
  for (size_t i = 0; i < runs.size() && !c.failed(); ++i)
    CheckRun(c, runs[i], "runs[" + std::to_string(i) + "]");
  if (c.failed()) return c.status();
  // The summary is derived from the runs; recomputing it means readers never meet a hand-edited one.
  result["summary"] = SummarizeRuns(runs);
  return Status::Ok();
}

Result<json> LoadResultFile(const std::string& dir_or_file) {
  std::filesystem::path path(dir_or_file);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) path /= "result.json";
  const std::string file = path.string();
  struct stat info {};
  if (stat(file.c_str(), &info) != 0) {
    if (errno == ENOENT)
      return NotFound("no result at " + file + " (give a result directory or its result.json)");
    return InvalidArgument("cannot read " + file + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return InvalidArgument(file + " is not a regular file");
  if (static_cast<uint64_t>(info.st_size) > kMaxResultFileBytes) {
    return InvalidArgument(file + " is " + std::to_string(info.st_size >> 20) + " MiB, larger than the " +
                           std::to_string(kMaxResultFileBytes >> 20) + " MiB a result.json may have");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + file);
  json result;
  try {
    // The callback sees every value's depth before it is built; throwing aborts the parse.
    result = json::parse(in, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxResultJsonDepth) throw std::out_of_range("nesting deeper than 64 levels");
      return true;
    });
  } catch (const std::exception& e) {
    return InvalidArgument(file + " is not valid JSON: " + e.what());
  }
  if (Status st = CheckResultJson(result, file); !st.ok()) return st;
  return result;
}

}  // namespace bakeoff
