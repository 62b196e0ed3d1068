#include "results/omb_result.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bakeoff {
namespace {

using nlohmann::json;

// OMB's percentile names and the percentiles they stand for.
struct Percentile {
  const char* suffix;
  double value;
};
constexpr Percentile kPercentiles[] = {{"50pct", 50},       {"75pct", 75},    {"95pct", 95},
                                       {"99pct", 99},       {"999pct", 99.9}, {"9999pct", 99.99},
                                       {"99999pct", 99.999}};
// The per-period lists of OMB's current TestResult stop at 99.99.
constexpr size_t kPeriodPercentiles = 6;

double Ms(double ns) {
  return ns / 1e6;
}
int64_t Us(double ns) {
  return std::llround(ns / 1e3);
}

// "50.0", "99.9": the keys OMB writes for its percentile maps (Java's Double.toString).
std::string PercentileKey(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", p);
  std::string text = buffer;
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

// Ticks of the spectrum: halving the remaining tail, as HdrHistogram's percentile distribution.
std::vector<double> SpectrumPercentiles() {
  return {0.0,  50.0,        75.0,  87.5,         90.0,  93.75,     95.0,  96.875,
          97.5, 98.4375,     99.0,  99.21875,     99.5,  99.609375, 99.75, 99.8046875,
          99.9, 99.90234375, 99.95, 99.951171875, 99.99, 99.999,    100.0};
}

enum class Unit { kMs, kUs };

json Value(double ns, Unit unit) {
  return unit == Unit::kMs ? json(Ms(ns)) : json(Us(ns));
}

// aggregated<Name>Avg, aggregated<Name>50pct ... Max, aggregated<Name>Quantiles.
void PutAggregated(json& out, const std::string& name, const Histogram& h, Unit unit, bool quantiles = true) {
  const std::string prefix = "aggregated" + name;
  out[prefix + "Avg"] = unit == Unit::kMs ? json(Ms(h.mean())) : json(h.mean() / 1e3);
  for (const Percentile& p : kPercentiles)
    out[prefix + p.suffix] = Value(static_cast<double>(h.ValueAtPercentile(p.value)), unit);
  out[prefix + "Max"] = Value(static_cast<double>(h.max()), unit);
  if (!quantiles) return;
  json map = json::object();
  if (h.total_count() > 0) {
    for (double p : SpectrumPercentiles()) {
      map[PercentileKey(p)] = Value(static_cast<double>(p >= 100.0 ? h.max() : h.ValueAtPercentile(p)), unit);
    }
  }
  out[prefix + "Quantiles"] = map;
}

// <name>Avg, <name>50pct ... Max: one element per period.
void AppendPeriod(json& out, const std::string& name, const Histogram& h, Unit unit) {
  out[name + "Avg"].push_back(unit == Unit::kMs ? json(Ms(h.mean())) : json(h.mean() / 1e3));
  for (size_t i = 0; i < kPeriodPercentiles; ++i) {
    out[name + kPercentiles[i].suffix].push_back(
        Value(static_cast<double>(h.ValueAtPercentile(kPercentiles[i].value)), unit));
  }
  out[name + "Max"].push_back(Value(static_cast<double>(h.max()), unit));
}

void InitPeriodLists(json& out) {
  for (const char* name : {"publishRate", "publishErrorRate", "consumeRate", "backlog"})
    out[name] = json::array();
  for (const char* name : {"publishLatency", "publishDelayLatency", "endToEndLatency"}) {
    out[std::string(name) + "Avg"] = json::array();
    for (size_t i = 0; i < kPeriodPercentiles; ++i)
      out[std::string(name) + kPercentiles[i].suffix] = json::array();
    out[std::string(name) + "Max"] = json::array();
  }
}

int64_t MessageSizeBytes(const MessageSizeSpec& size) {
  switch (size.distribution) {
    case MessageSizeSpec::Distribution::kFixed:
      return size.fixed_bytes;
    case MessageSizeSpec::Distribution::kUniform:
      return (size.min_bytes + size.max_bytes) / 2;
    case MessageSizeSpec::Distribution::kNormal:
      return size.mean_bytes;
  }
  return size.fixed_bytes;
}

// Per-period figures: one period per interval of the run (each about a second, from the start of the
// measured window to the end of the drain). A per-second sample covers (previous t_s, t_s]; its counts
// go to the periods it overlaps in proportion (the sample that straddles the end of the warm-up is
// mostly warm-up). The backlog is sent - received at the last sample ending in the period.
void PutPeriods(json& out, const RunMetrics& m) {
  const auto& series = m.series;
  if (m.intervals.empty()) {
    // Not from the workload runner: the measured seconds of the series, without latency lists.
    int64_t backlog = 0;
    for (const SecondSample& s : series) {
      backlog += static_cast<int64_t>(s.sent) - static_cast<int64_t>(s.received);
      if (s.warmup) continue;
      out["publishRate"].push_back(static_cast<double>(s.sent));
      out["publishErrorRate"].push_back(static_cast<double>(s.send_errors));
      out["consumeRate"].push_back(static_cast<double>(s.received));
      out["backlog"].push_back(backlog);
    }
    return;
  }
  size_t next = 0;  // first sample not yet wholly used
  int64_t backlog = 0;
  size_t backlog_upto = 0;  // samples counted into `backlog`
  for (const IntervalHistograms& interval : m.intervals) {
    const double a = static_cast<double>(interval.start_ns) / 1e9;
    const double b = static_cast<double>(interval.start_ns + interval.length_ns) / 1e9;
    double sent = 0, received = 0, errors = 0;
    for (size_t i = next; i < series.size(); ++i) {
      const double end = series[i].t_s;
      const double begin = i == 0 ? 0.0 : series[i - 1].t_s;
      if (begin >= b) break;
      const double overlap = std::min(end, b) - std::max(begin, a);
      if (overlap > 0 && end > begin) {
        const double share = overlap / (end - begin);
        sent += share * static_cast<double>(series[i].sent);
        received += share * static_cast<double>(series[i].received);
        errors += share * static_cast<double>(series[i].send_errors);
      }
      if (end <= b + 1e-6) next = i + 1;
    }
    while (backlog_upto < series.size() && series[backlog_upto].t_s <= b + 1e-6) {
      backlog += static_cast<int64_t>(series[backlog_upto].sent) -
                 static_cast<int64_t>(series[backlog_upto].received);
      ++backlog_upto;
    }
    const double length_s = std::max(1e-3, b - a);
    out["publishRate"].push_back(sent / length_s);
    out["publishErrorRate"].push_back(errors / length_s);
    out["consumeRate"].push_back(received / length_s);
    out["backlog"].push_back(backlog);
    AppendPeriod(out, "publishLatency", interval.publish_uncorrected.ToHistogram(), Unit::kMs);
    AppendPeriod(out, "publishDelayLatency", interval.publish_delay.ToHistogram(), Unit::kUs);
    AppendPeriod(out, "endToEndLatency", interval.e2e_uncorrected.ToHistogram(), Unit::kMs);
  }
}

// Rate steps, a find_max search and a backlog: OMB's TestResult has no fields for them (its
// producerRate 0 search and its backlog phase leave only the per-period lists), so they go under
// `bakeoff`, in OMB's style of names and units (rates in msg/s, latencies in ms).
void PutShapes(json& bakeoff, const RunMetrics& m) {
  if (!m.steps.empty()) {
    json steps = json::array();
    for (const StepMetrics& step : m.steps) {
      steps.push_back({{"targetRate", step.rate_target},
                       {"startS", step.start_s},
                       {"durationS", step.duration_s},
                       {"publishRate", step.sent_per_s},
                       {"consumeRate", step.received_per_s},
                       {"backlogGrowth", step.backlog_growth},
                       {"endToEndLatency99pct", Ms(static_cast<double>(step.e2e.ValueAtPercentile(99)))},
                       {"publishLatency99pct", Ms(static_cast<double>(step.publish.ValueAtPercentile(99)))},
                       {"met", step.met},
                       {"why", step.why}});
    }
    bakeoff["steps"] = steps;
  }
  if (m.find_max) {
    bakeoff["findMax"] = {{"objective", m.find_max->objective},
                          {"found", m.find_max->found},
                          {"maxSustainableRate", m.find_max->found_rate},
                          {"steps", m.find_max->steps},
                          {"ended", m.find_max->ended}};
  }
  if (m.backlog) {
    const BacklogMetrics& b = *m.backlog;
    bakeoff["backlog"] = {
        {"backlogMessages", b.messages},
        {"backlogBytes", b.bytes},
        {"buildTimeS", b.build_s},
        {"drainTimeS", b.drain_s},
        {"drained", b.drained},
        {"drainConsumeRate", b.drain_read_per_s},
        {"publishRateDuringDrain", b.producer_rate_during_drain},
        {"publishLatency99pctDuringDrain",
         Ms(static_cast<double>(b.publish_during_drain.ValueAtPercentile(99)))},
        {"endToEndLatency99pctDuringDrain",
         Ms(static_cast<double>(b.e2e_during_drain.ValueAtPercentile(99)))},
        {"endToEndLatency99pctAfterDrain", Ms(static_cast<double>(b.e2e_after_drain.ValueAtPercentile(99)))},
    };
  }
}

}  // namespace

json RunToOmbResult(const ExperimentResult& result, size_t run_index) {
  const RunRecord& run = result.runs.at(run_index);
  const MatrixPoint* point =
      run.point_index >= 0 && static_cast<size_t>(run.point_index) < result.experiment.points.size()
          ? &result.experiment.points[static_cast<size_t>(run.point_index)]
          : nullptr;
  const WorkloadSpec& w = point != nullptr ? point->workload : result.experiment.workload;
  const int topics = std::max(1, w.topics);
  json out = {
      {"workload", result.experiment.name},
      {"driver", run.system},
      {"messageSize", MessageSizeBytes(w.message_size)},
      {"topics", w.topics},
      {"partitions", w.partitions},
      {"producersPerTopic", std::max(1, w.producers / topics)},
      {"consumersPerTopic", std::max(1, w.consumers / topics)},
  };
  InitPeriodLists(out);
  const RunMetrics empty;
  const RunMetrics& m = run.has_metrics ? run.metrics : empty;
  if (run.has_metrics) PutPeriods(out, m);
  PutAggregated(out, "PublishLatency", m.publish.uncorrected, Unit::kMs);
  PutAggregated(out, "PublishDelayLatency", m.publish_delay, Unit::kUs);
  PutAggregated(out, "EndToEndLatency", m.e2e.uncorrected, Unit::kMs);
  json corrected = json::object();
  PutAggregated(corrected, "PublishLatency", m.publish.corrected, Unit::kMs, /*quantiles=*/false);
  PutAggregated(corrected, "EndToEndLatency", m.e2e.corrected, Unit::kMs, /*quantiles=*/false);
  out["bakeoffCorrected"] = corrected;
  out["bakeoff"] = {
      {"note",
       "Written by bakeoff in OpenMessaging Benchmark's result format. The OMB-named latencies are "
       "uncorrected "
       "(from the actual send time), as OMB measures; bakeoff's coordinated-omission corrected figures (from "
       "the intended send time) are in result.json (runs[].metrics.*.corrected) and, in OMB's units, under "
       "bakeoffCorrected. Periods are 1 s (OMB's are 10 s)."},
      {"result_file", "result.json"},
      {"run_index", run_index},
      {"status", RunStatusName(run.status)},
      {"closed_loop", m.closed_loop},
      {"period_s", 1},
      {"description", result.experiment.description},
  };
  PutShapes(out["bakeoff"], m);
  return out;
}

std::string OmbRunFileName(size_t run_index, const std::string& system) {
  char prefix[32];
  std::snprintf(prefix, sizeof(prefix), "omb/run-%02zu-", run_index + 1);
  return prefix + system + ".json";
}

}  // namespace bakeoff
