#include "results/exports.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "results/hdr_log.h"
#include "results/result_json.h"

namespace bakeoff {
namespace {

using nlohmann::json;

const char* const kLatencyStats[] = {"p50", "p90", "p99", "p99_9", "p99_99", "p99_999", "max", "mean"};

std::string CsvEscape(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Cell(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return CsvEscape(value.get<std::string>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number()) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.6g", value.get<double>());
    return buffer;
  }
  return CsvEscape(value.dump());
}

const json& At(const json& object, const char* key) {
  static const json kNull;
  return object.is_object() && object.contains(key) ? object[key] : kNull;
}

// runs[].costs (results/costs.h), appended so that earlier columns keep their places.
constexpr const char* kCostColumns[] = {"server_cpu_seconds",    "server_cores",
                                        "server_peak_rss_bytes", "server_bytes_written",
                                        "msgs_per_server_cpu_s", "mb_written_per_million_msgs",
                                        "client_cpu_seconds",    "client_cores"};

}  // namespace

const std::vector<std::string>& CsvColumns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> columns = {
        "experiment",       "system",       "driver",  "provider",   "status",          "point_index",
        "matrix_point",     "repeat_index", "partial", "measured_s", "sent_msgs_per_s", "received_msgs_per_s",
        "received_mb_per_s"};
    for (const char* which : {"e2e", "publish"}) {
      for (const char* correction : {"corrected", "uncorrected"}) {
        for (const char* stat : kLatencyStats) {
          columns.push_back(std::string(which) + "_" + correction + "_" + stat + "_ns");
        }
      }
    }
    for (const char* count :
         {"sent", "acked", "send_errors", "received", "lost", "duplicated", "out_of_order", "unparseable"}) {
      columns.push_back(count);
    }
    columns.push_back("thresholds_failed");
    columns.push_back("error");
    for (const char* cost : kCostColumns) columns.push_back(cost);
    return columns;
  }();
  return kColumns;
}

std::string RenderCsv(const json& result) {
  std::string out;
  for (size_t i = 0; i < CsvColumns().size(); ++i) out += (i ? "," : "") + CsvColumns()[i];
  out += "\n";
  const std::string experiment =
      At(At(result, "experiment"), "name").is_string() ? result["experiment"]["name"].get<std::string>() : "";
  for (const json& run : At(result, "runs")) {
    const json& m = At(run, "metrics");
    std::vector<std::string> cells = {CsvEscape(experiment),   Cell(At(run, "system")),
                                      Cell(At(run, "driver")), Cell(At(run, "provider")),
                                      Cell(At(run, "status")), Cell(At(run, "point_index"))};
    std::string point;
    for (const auto& [path, value] : At(run, "matrix_point").items()) {
      point += (point.empty() ? "" : ";") + path + "=" +
               (value.is_string() ? value.get<std::string>() : value.dump());
    }
    cells.push_back(CsvEscape(point));
    cells.push_back(Cell(At(run, "repeat_index")));
    cells.push_back(Cell(At(m, "partial")));
    cells.push_back(At(m, "measured_ns").is_number() ? Cell(json(m["measured_ns"].get<double>() / 1e9)) : "");
    for (const char* key : {"sent_msgs_per_s", "received_msgs_per_s", "received_mb_per_s"}) {
      cells.push_back(Cell(At(At(m, "throughput"), key)));
    }
    for (const char* which : {"e2e_latency_ns", "publish_latency_ns"}) {
      for (const char* correction : {"corrected", "uncorrected"}) {
        for (const char* stat : kLatencyStats) cells.push_back(Cell(At(At(At(m, which), correction), stat)));
      }
    }
    for (const char* count :
         {"sent", "acked", "send_errors", "received", "lost", "duplicated", "out_of_order", "unparseable"}) {
      cells.push_back(Cell(At(At(m, "accounting"), count)));
    }
    int failed = 0;
    for (const json& t : At(run, "thresholds")) failed += At(t, "passed") == json(false) ? 1 : 0;
    cells.push_back(std::to_string(failed));
    cells.push_back(Cell(At(run, "error")));
    for (const char* cost : kCostColumns) cells.push_back(Cell(At(At(run, "costs"), cost)));
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cells[i];
    out += "\n";
  }
  return out;
}

std::string RenderRunHlog(const RunRecord& run) {
  const RunMetrics& m = run.metrics;
  const std::vector<IntervalHistograms>& seconds = m.intervals;
  auto to_s = [](int64_t ns) { return static_cast<double>(ns) / 1e9; };
  const int64_t base_unix_ns =
      m.producers_start_unix_ns != 0 ? m.producers_start_unix_ns : run.started_unix_ns;
  // The uncorrected histograms are not kept per interval (that would cost the workers one more recording
  // per message): one interval spanning what the per-second ones span.
  double window_start_s = 0;
  double window_length_s = to_s(m.measured_ns);
  if (!seconds.empty()) {
    window_start_s = to_s(seconds.front().start_ns);
    window_length_s = to_s(seconds.back().start_ns + seconds.back().length_ns - seconds.front().start_ns);
  }
  std::string comment =
      "bakeoff run of system " + run.system + ", repeat " + std::to_string(run.repeat_index + 1);
  for (const auto& [path, value] : run.matrix_point) comment += ", " + path + "=" + value;
  comment +=
      "; values in nanoseconds; times in seconds since the producers started (warm-up excluded); "
      "corrected tags per second, uncorrected tags over the whole measured window";
  // Lines are rendered one at a time: a Histogram is ~37 KiB, an hour of intervals would not fit at once.
  std::string out = RenderHlogHeader(to_s(base_unix_ns), comment);
  out += RenderHlogLine({"e2e_uncorrected", window_start_s, window_length_s, m.e2e.uncorrected});
  out += RenderHlogLine({"publish_uncorrected", window_start_s, window_length_s, m.publish.uncorrected});
  if (seconds.empty()) {  // metrics not from RunWorkload, or a run interrupted during its warm-up
    out += RenderHlogLine({"e2e_corrected", window_start_s, window_length_s, m.e2e.corrected});
    out += RenderHlogLine({"publish_corrected", window_start_s, window_length_s, m.publish.corrected});
  }
  for (const IntervalHistograms& second : seconds) {
    const double start_s = to_s(second.start_ns);
    const double length_s = to_s(second.length_ns);
    out += RenderHlogLine({"e2e_corrected", start_s, length_s, second.e2e_corrected.ToHistogram()});
    out += RenderHlogLine({"publish_corrected", start_s, length_s, second.publish_corrected.ToHistogram()});
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::filesystem::path final_path(path);
  const std::filesystem::path temp_path =
      final_path.parent_path() / ("." + final_path.filename().string() + ".tmp");
  std::error_code ec;
  {
    std::ofstream out(temp_path, std::ios::binary);
    if (!out) return IoError("cannot write " + temp_path.string());
    out << text;
    out.close();
    if (!out) {
      std::filesystem::remove(temp_path, ec);  // a full disk leaves no half-written temp file
      return IoError("write to " + temp_path.string() + " failed");
    }
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(temp_path, ec);
    return IoError("cannot rename to " + final_path.string() + ": " + why);
  }
  return Status::Ok();
}

}  // namespace bakeoff
