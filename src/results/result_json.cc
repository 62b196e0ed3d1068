#include "results/result_json.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <type_traits>

#include "results/costs.h"
#include "results/statistics.h"
#include "spec/secrets.h"

namespace bakeoff {
namespace {

using nlohmann::json;

const char* SizeDistributionName(MessageSizeSpec::Distribution d) {
  switch (d) {
    case MessageSizeSpec::Distribution::kFixed:
      return "fixed";
    case MessageSizeSpec::Distribution::kUniform:
      return "uniform";
    case MessageSizeSpec::Distribution::kNormal:
      return "normal";
  }
  return "fixed";
}

const char* KeyDistributionName(KeySpec::Distribution d) {
  switch (d) {
    case KeySpec::Distribution::kNone:
      return "none";
    case KeySpec::Distribution::kRoundRobin:
      return "round-robin";
    case KeySpec::Distribution::kRandom:
      return "random";
    case KeySpec::Distribution::kZipf:
      return "zipf";
  }
  return "none";
}

const char* PayloadKindName(PayloadSpec::Kind k) {
  switch (k) {
    case PayloadSpec::Kind::kRandom:
      return "random";
    case PayloadSpec::Kind::kCompressible:
      return "compressible";
    case PayloadSpec::Kind::kFile:
      return "file";
    case PayloadSpec::Kind::kPool:
      return "pool";
  }
  return "random";
}

// Option values as JSON. Secret options hold the reference text the user wrote ("${env:NAME}"),
// never a resolved secret, so they can be written as they are.
// Pass-through maps are redacted again (RedactedValue): an Experiment built in code, not parsed, may
// still hold a plain-text secret.
json OptionsToJson(const OptionValues& values) {
  json out = json::object();
  for (const auto& entry : values.all()) {
    const std::string& name = entry.first;  // clang 14 cannot capture a structured binding
    std::visit(
        [&out, &name](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::map<std::string, std::string>>) {
            json map = json::object();
            for (const auto& [key, text] : v) map[key] = RedactedValue(key, text);
            out[name] = map;
          } else {
            out[name] = v;
          }
        },
        entry.second);
  }
  return out;
}

// Facts (effective client config, server settings) with secret-named entries redacted.
json FactsToJson(const std::map<std::string, std::string>& facts) {
  json out = json::object();
  for (const auto& [key, value] : facts) out[key] = RedactedValue(key, value);
  return out;
}

json WorkloadToJson(const WorkloadSpec& w) {
  json size = {{"distribution", SizeDistributionName(w.message_size.distribution)}};
  if (w.message_size.distribution == MessageSizeSpec::Distribution::kFixed) {
    size["bytes"] = w.message_size.fixed_bytes;
  } else {
    size["min_bytes"] = w.message_size.min_bytes;
    size["max_bytes"] = w.message_size.max_bytes;
    size["mean_bytes"] = w.message_size.mean_bytes;
    size["stddev_bytes"] = w.message_size.stddev_bytes;
  }
  json keys = {{"distribution", KeyDistributionName(w.keys.distribution)}};
  if (w.keys.distribution != KeySpec::Distribution::kNone) keys["count"] = w.keys.count;
  if (w.keys.distribution == KeySpec::Distribution::kZipf) keys["exponent"] = w.keys.zipf_exponent;
  json payload = {{"kind", PayloadKindName(w.payload.kind)}};
  if (w.payload.kind == PayloadSpec::Kind::kCompressible) payload["ratio"] = w.payload.compress_ratio;
  if (w.payload.kind == PayloadSpec::Kind::kFile) payload["file"] = w.payload.file;
  if (w.payload.kind == PayloadSpec::Kind::kPool) {
    payload["pool"] = w.payload.pool.count;
    payload["random_bytes_ratio"] = w.payload.pool.random_bytes_ratio;
  }
  json rate = w.rate.max ? json{{"mode", "max"}} : json{{"mode", "fixed"}, {"msgs_per_s", w.rate.msgs_per_s}};
  if (!w.rate.steps.empty()) {
    rate = {{"mode", "steps"}, {"steps", json::array()}};
    for (const RateStep& step : w.rate.steps)
      rate["steps"].push_back({{"msgs_per_s", step.msgs_per_s}, {"duration_ns", step.duration_ns}});
  } else if (w.rate.ramp) {
    rate = {{"mode", "ramp"},
            {"from_msgs_per_s", w.rate.ramp->from_msgs_per_s},
            {"to_msgs_per_s", w.rate.ramp->to_msgs_per_s},
            {"over_ns", w.rate.ramp->over_ns}};
  } else if (w.rate.find_max) {
    const FindMaxSpec& f = *w.rate.find_max;
    rate = {{"mode", "find_max"},
            {"objective", f.objective_text},
            {"p99_e2e_bound_ns", f.p99_e2e_bound_ns},
            {"start_msgs_per_s", f.start_msgs_per_s},
            {"step_duration_ns", f.step_duration_ns},
            {"within", f.within},
            {"max_steps", f.max_steps}};
  }
  json out = {
      {"topics", w.topics},
      {"partitions", w.partitions},
      {"producers", w.producers},
      {"subscriptions", w.subscriptions},
      {"consumers", w.consumers},
      {"message_size", size},
      {"keys", keys},
      {"rate", rate},
      {"payload", payload},
      {"warmup_ns", w.warmup_ns},
      {"duration_ns", w.duration_ns},
      {"drain_timeout_ns", w.drain_timeout_ns},
      {"max_backlog", w.max_backlog},
      {"generator_cpus", w.generator_cpus},
  };
  out["messages"] = w.messages ? json(*w.messages) : json(nullptr);
  if (w.producers_per_topic > 0) out["producers_per_topic"] = w.producers_per_topic;
  if (w.backlog) {
    out["backlog"] = {{"messages", w.backlog->messages},
                      {"bytes", w.backlog->bytes},
                      {"drain_ratio", w.backlog->drain_ratio},
                      {"max_drain_ns", w.backlog->max_drain_ns}};
  }
  return out;
}

const char* OpText(ThresholdSpec::Op op) {
  switch (op) {
    case ThresholdSpec::Op::kLess:
      return "<";
    case ThresholdSpec::Op::kLessEqual:
      return "<=";
    case ThresholdSpec::Op::kGreater:
      return ">";
    case ThresholdSpec::Op::kGreaterEqual:
      return ">=";
    case ThresholdSpec::Op::kEqual:
      return "==";
    case ThresholdSpec::Op::kNotEqual:
      return "!=";
  }
  return "?";
}

json ThresholdSpecToJson(const ThresholdSpec& t) {
  return {{"scope", t.scope},
          {"metric", t.metric},
          {"operator", OpText(t.op)},
          {"value", t.value},
          {"text", t.text}};
}

json ThresholdOutcomesToJson(const std::vector<ThresholdOutcome>& outcomes) {
  json out = json::array();
  for (const ThresholdOutcome& o : outcomes) {
    json j = ThresholdSpecToJson(o.threshold);
    j["actual"] = o.actual;
    j["passed"] = o.passed;
    j["message"] = o.message;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kOk:
      return "ok";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kInterrupted:
      return "interrupted";
    case RunStatus::kCancelled:
      return "cancelled";
    case RunStatus::kNotSustained:
      return "not_sustained";
    case RunStatus::kNoData:
      return "no_data";
  }
  return "failed";
}

RunStatus MeasuredVerdict(const WorkloadSpec& workload, const RunMetrics& metrics, std::string* why) {
  if (metrics.measured_ns <= 0 || metrics.measured_sent == 0) {
    if (why)
      *why =
          "nothing was measured: no message was sent inside the measured window (is the message cap reached "
          "during the warm-up?)";
    return RunStatus::kNoData;
  }
  if (metrics.closed_loop || workload.rate.max || workload.rate.msgs_per_s <= 0) return RunStatus::kOk;
  // A search's failing steps are the search working, not a verdict on the run.
  if (workload.rate.find_max) return RunStatus::kOk;
  if (!workload.rate.steps.empty() || workload.rate.ramp) {
    // Each step (ramp piece) at its own target.
    for (size_t i = 0; i < metrics.steps.size(); ++i) {
      const StepMetrics& step = metrics.steps[i];
      if (step.met) continue;
      if (why) {
        char line[200];
        std::snprintf(line, sizeof(line),
                      "step %zu (%.0f msg/s): sent %.0f msg/s, received %.0f msg/s; below %.0f%% is "
                      "not sustained",
                      i + 1, step.rate_target, step.sent_per_s, step.received_per_s,
                      100.0 * (1.0 - kSustainTolerance));
        *why = line;
      }
      return RunStatus::kNotSustained;
    }
    return RunStatus::kOk;
  }
  const double target = workload.rate.msgs_per_s;
  const double floor = target * (1.0 - kSustainTolerance);
  const double sent = metrics.sent_msgs_per_s();
  const double received = metrics.received_msgs_per_s();
  auto text = [&](const char* what, double rate) {
    char line[160];
    std::snprintf(line, sizeof(line),
                  "%s %.0f msg/s of the %.0f msg/s target (%.0f%%); below %.0f%% is not sustained", what,
                  rate, target, 100.0 * rate / target, 100.0 * (1.0 - kSustainTolerance));
    return std::string(line);
  };
  // Only when the workload has consumers is the received rate a verdict (a produce-only run receives none).
  if (sent < floor) {
    if (why) *why = text("sent", sent);
    return RunStatus::kNotSustained;
  }
  // With fan-out every subscription must keep up on its own (the run's received rate sums them). A
  // backlog run's consumers are paused by design while it builds: its received rate is no verdict.
  if (workload.consumers > 0 && metrics.subscriptions.empty() && !workload.backlog && received < floor) {
    if (why) *why = text("received", received);
    return RunStatus::kNotSustained;
  }
  for (const SubscriptionMetrics& s : metrics.subscriptions) {
    const double rate = metrics.received_msgs_per_s(s);
    if (!workload.backlog && rate < floor) {
      if (why) *why = text(("subscription " + std::to_string(s.index) + " received").c_str(), rate);
      return RunStatus::kNotSustained;
    }
  }
  return RunStatus::kOk;
}

std::string RunError::ToString() const {
  if (empty()) return "";
  if (code == StatusCode::kOk) return phase + ": " + message;  // a verdict, not an error status
  return phase + ": " + Status(code, message).ToString();
}

json ExperimentToJson(const Experiment& e) {
  json systems = json::array();
  for (const SystemSpec& s : e.systems) {
    systems.push_back(
        {{"name", s.name},
         {"driver", s.driver},
         {"environment",
          {{"provider", s.environment.provider}, {"options", OptionsToJson(s.environment.options)}}},
         {"options", OptionsToJson(s.options)}});
  }
  json thresholds = json::array();
  for (const ThresholdSpec& t : e.thresholds) thresholds.push_back(ThresholdSpecToJson(t));
  json matrix = json::array();
  for (const MatrixAxis& axis : e.matrix) matrix.push_back({{"path", axis.path}, {"values", axis.values}});
  return {{"name", e.name},
          {"description", e.description},
          {"source_file", e.source_file},
          {"systems", systems},
          {"workload", WorkloadToJson(e.workload)},
          {"output", {{"dir", e.output.dir}}},
          {"thresholds", thresholds},
          {"matrix", matrix},
          {"repeat", e.repeat}};
}

json HistogramSummaryToJson(const Histogram& h) {
  // The percentile spectrum (HdrHistogram's percentile distribution) for plots: ticks halving the
  // remaining tail, up to 99.9999%.
  json spectrum = json::array();
  if (h.total_count() > 0) {
    for (double p : {0.0, 50.0, 75.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.75, 99.9, 99.95, 99.975, 99.99, 99.995,
                     99.999, 99.9995, 99.9999}) {
      spectrum.push_back({p, h.ValueAtPercentile(p)});
    }
  }
  json out = {{"count", h.total_count()},
              {"p50", h.ValueAtPercentile(50)},
              {"p90", h.ValueAtPercentile(90)},
              {"p99", h.ValueAtPercentile(99)},
              {"p99_9", h.ValueAtPercentile(99.9)},
              {"p99_99", h.ValueAtPercentile(99.99)},
              {"p99_999", h.ValueAtPercentile(99.999)},
              {"max", h.max()},
              {"min", h.min()},
              {"mean", h.mean()}};
  out["spectrum"] = spectrum;
  return out;
}

json RunMetricsToJson(const RunMetrics& m) {
  json series = json::array();
  for (const SecondSample& s : m.series) {
    series.push_back({{"t_s", s.t_s},
                      {"warmup", s.warmup},
                      {"sent", s.sent},
                      {"acked", s.acked},
                      {"received", s.received},
                      {"received_bytes", s.received_bytes},
                      {"send_errors", s.send_errors},
                      {"e2e_p50_ns", s.e2e_p50_ns},
                      {"e2e_p99_ns", s.e2e_p99_ns},
                      {"e2e_max_ns", s.e2e_max_ns},
                      {"publish_p99_ns", s.publish_p99_ns}});
  }
  const AccountingTotals& a = m.accounting;
  json accounting = {{"sent", a.sent},
                     {"acked", a.acked},
                     {"send_errors", a.send_errors},
                     {"received", a.received},
                     {"lost", a.lost},
                     {"duplicated", a.duplicated},
                     {"out_of_order", a.out_of_order},
                     {"unparseable", a.unparseable}};
  if (!m.subscriptions.empty()) {
    json subscriptions = json::array();
    for (const SubscriptionMetrics& s : m.subscriptions) {
      subscriptions.push_back({{"index", s.index},
                               {"sent", s.accounting.sent},
                               {"received", s.accounting.received},
                               {"lost", s.accounting.lost},
                               {"duplicated", s.accounting.duplicated},
                               {"out_of_order", s.accounting.out_of_order},
                               {"unparseable", s.accounting.unparseable},
                               {"received_msgs_per_s", m.received_msgs_per_s(s)},
                               {"e2e_latency_ns",
                                {{"corrected", HistogramSummaryToJson(s.e2e.corrected)},
                                 {"uncorrected", HistogramSummaryToJson(s.e2e.uncorrected)}}}});
    }
    accounting["subscriptions"] = std::move(subscriptions);
  }
  json errors = json::array();
  for (const ErrorCount& e : m.errors.entries()) {
    errors.push_back({{"phase", ErrorPhaseName(e.phase)},
                      {"code", ErrorCodeName(e)},
                      {"message", ErrorCounts::Describe(e)},
                      {"count", e.count}});
  }
  return {
      {"rate_mode", m.closed_loop ? "max (closed loop)" : "fixed (open loop)"},
      {"partial", m.partial},
      {"stop_reason", m.stop_reason()},
      {"measured_ns", m.measured_ns},
      {"throughput",
       {{"sent_msgs_per_s", m.sent_msgs_per_s()},
        {"received_msgs_per_s", m.received_msgs_per_s()},
        {"received_mb_per_s", m.received_mb_per_s()}}},
      {"publish_latency_ns",
       {{"corrected", HistogramSummaryToJson(m.publish.corrected)},
        {"uncorrected", HistogramSummaryToJson(m.publish.uncorrected)}}},
      {"e2e_latency_ns",
       {{"corrected", HistogramSummaryToJson(m.e2e.corrected)},
        {"uncorrected", HistogramSummaryToJson(m.e2e.uncorrected)}}},
      {"accounting", accounting},
      {"errors", errors},
      {"series", series},
  };
}

json CorrectedToJson(const Histogram& h) {
  return {{"corrected", HistogramSummaryToJson(h)}};
}

json StepsToJson(const std::vector<StepMetrics>& steps) {
  json out = json::array();
  for (const StepMetrics& step : steps) {
    json j = {{"rate_target", step.rate_target},
              {"start_s", step.start_s},
              {"duration_s", step.duration_s},
              {"sent", step.sent},
              {"received", step.received},
              {"sent_per_s", step.sent_per_s},
              {"received_per_s", step.received_per_s},
              {"e2e_latency_ns", CorrectedToJson(step.e2e)},
              {"publish_latency_ns", CorrectedToJson(step.publish)},
              {"backlog_growth", step.backlog_growth},
              {"met", step.met}};
    if (!step.why.empty()) j["why"] = step.why;
    out.push_back(std::move(j));
  }
  return out;
}

json FindMaxToJson(const FindMaxOutcome& f) {
  return {{"objective", f.objective},
          {"found", f.found},
          {"found_rate", f.found ? json(f.found_rate) : json(nullptr)},
          {"steps", f.steps},
          {"ended", f.ended}};
}

json BacklogToJson(const BacklogMetrics& b) {
  return {{"target_messages", b.target_messages},
          {"messages", b.messages},
          {"bytes", b.bytes},
          {"build_s", b.build_s},
          {"drain_s", b.drain_s},
          {"drained", b.drained},
          {"drain_read_per_s", b.drain_read_per_s},
          {"producer_rate_during_drain", b.producer_rate_during_drain},
          {"publish_latency_during_drain_ns", CorrectedToJson(b.publish_during_drain)},
          {"e2e_latency_during_drain_ns", CorrectedToJson(b.e2e_during_drain)},
          {"e2e_latency_after_drain_ns", CorrectedToJson(b.e2e_after_drain)}};
}

json ResourcesToJson(const std::vector<ProcessUsage>& resources) {
  json out = json::array();
  for (const ProcessUsage& u : resources) {
    json series = json::array();
    for (const ProcessSample& s : u.series) {
      series.push_back({{"t_s", s.t_s},
                        {"cpu_percent", s.cpu_percent},
                        {"rss_bytes", s.rss_bytes},
                        {"write_bytes", s.write_bytes}});
    }
    out.push_back({{"name", u.name},
                   {"pid", u.pid},
                   {"vanished", u.vanished},
                   {"cpu_seconds", u.cpu_seconds},
                   {"max_rss_bytes", u.max_rss_bytes},
                   {"bytes_written", u.bytes_written},
                   {"series", series}});
  }
  return out;
}

json ResultToJson(const ExperimentResult& r) {
  json runs = json::array();
  for (const RunRecord& run : r.runs) {
    json j = {{"system", run.system},
              {"driver", run.driver},
              {"provider", run.provider},
              {"status", RunStatusName(run.status)},
              {"started_unix_ns", run.started_unix_ns},
              {"finished_unix_ns", run.finished_unix_ns},
              {"environment_facts", FactsToJson(run.environment_facts)},
              {"driver_facts", FactsToJson(run.driver_facts)},
              {"resources", ResourcesToJson(run.resources)},
              {"costs", CostsToJson(ComputeCosts(run))}};
    if (run.promises) {
      j["capabilities"] = {{"ordered_per_stream", run.promises->ordered_per_stream},
                           {"confirms_publish", run.promises->confirms_publish},
                           {"durable", run.promises->durable}};
    }
    if (!run.error.empty()) {
      j["error"] = run.error.ToString();
      j["error_detail"] = {{"phase", run.error.phase},
                           {"code", StatusCodeName(run.error.code)},
                           {"message", run.error.message}};
    }
    j["matrix_point"] = json::object();
    for (const auto& [path, value] : run.matrix_point) j["matrix_point"][path] = value;
    j["point_index"] = run.point_index;
    j["repeat_index"] = run.repeat_index;
    j["thresholds"] = ThresholdOutcomesToJson(run.thresholds);
    j["hlog"] = run.has_metrics ? json(HlogFileName(runs.size(), run.system)) : json(nullptr);
    j["metrics"] = run.has_metrics ? RunMetricsToJson(run.metrics) : json(nullptr);
    // Rate steps, ramp pieces, a search and a backlog, beside `metrics` (the whole run's figures).
    if (run.has_metrics && !run.metrics.steps.empty()) j["steps"] = StepsToJson(run.metrics.steps);
    if (run.has_metrics && run.metrics.find_max) j["find_max"] = FindMaxToJson(*run.metrics.find_max);
    if (run.has_metrics && run.metrics.backlog) j["backlog"] = BacklogToJson(*run.metrics.backlog);
    runs.push_back(std::move(j));
  }
  return {{"schema_version", kResultSchemaVersion},
          {"bakeoff_version", r.bakeoff_version},
          {"partial", r.partial},
          {"started_unix_ns", r.started_unix_ns},
          {"finished_unix_ns", r.finished_unix_ns},
          {"experiment", ExperimentToJson(r.experiment)},
          {"environment",
           {{"bakeoff_version", r.bakeoff_version},
            {"host",
             {{"hostname", r.host.hostname},
              {"cpu_model", r.host.cpu_model},
              {"cpu_count", r.host.cpu_count},
              {"kernel", r.host.kernel},
              {"memory_bytes", r.host.memory_bytes}}}}},
          {"runs", runs},
          {"summary", SummarizeRuns(runs)}};
}

Status WriteResultFile(const ExperimentResult& result, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create result directory " + dir + ": " + ec.message());
  const std::filesystem::path final_path = std::filesystem::path(dir) / "result.json";
  const std::filesystem::path temp_path = std::filesystem::path(dir) / ".result.json.tmp";
  {
    std::ofstream out(temp_path);
    if (!out) return IoError("cannot write " + temp_path.string());
    out << ResultToJson(result).dump(2) << "\n";
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

std::string HlogFileName(size_t run_index, const std::string& system) {
  char prefix[32];
  std::snprintf(prefix, sizeof(prefix), "hlog/run-%02zu-", run_index + 1);
  return prefix + system + ".hlog";
}

}  // namespace bakeoff
