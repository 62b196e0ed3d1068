#include "spec/internal/workload_parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "spec/internal/suggest.h"
#include "spec/limits.h"
#include "spec/units.h"

namespace bakeoff::spec_internal {
namespace {

std::optional<int64_t> ReadMessageBytes(Reader& reader, const Field& field) {
  return reader.ReadBytes(field, kMinMessageBytes, kMaxMessageBytes);
}

void ParseMessageSize(Reader& reader, const Field& field, MessageSizeSpec& size) {
  if (!field.node.IsMap()) {
    if (field.node.IsScalar()) {
      if (auto bytes = ReadMessageBytes(reader, field)) {
        size.distribution = MessageSizeSpec::Distribution::kFixed;
        size.fixed_bytes = size.min_bytes = size.max_bytes = *bytes;
      }
      return;
    }
    reader.Report(
        field.mark, field.path,
        "expected a size such as 100B, or a map such as {distribution: uniform, min: 100B, max: 1KiB}, "
        "found " +
            Reader::Describe(field.node));
    return;
  }
  static const std::vector<std::string> kAll = {"distribution", "min", "max", "mean", "stddev"};
  static const std::vector<std::string> kUniform = {"distribution", "min", "max"};
  // Read the distribution first: it decides which other keys belong here.
  std::optional<std::string> distribution;
  if (YAML::Node node = field.node["distribution"]; node && node.IsScalar()) distribution = node.Scalar();
  const std::vector<std::string>* allowed = distribution == "uniform" ? &kUniform : &kAll;
  auto entries = reader.ReadMap(
      field, allowed,
      "in `" + field.path + "`" + (distribution == "uniform" ? " (uniform takes min and max)" : ""));
  if (!entries) return;
  const MapEntry* kind = reader.Require(*entries, field, "distribution", "`uniform` or `normal`");
  if (kind == nullptr) return;
  std::optional<std::string> choice = reader.ReadChoice(kind->value, {"uniform", "normal"});
  if (!choice) return;
  auto read = [&](const std::string& key, int64_t min_bytes, bool required,
                  int64_t fallback) -> std::optional<int64_t> {
    const MapEntry* entry =
        required ? reader.Require(*entries, field, key, "a size such as 1KiB") : FindEntry(*entries, key);
    if (entry == nullptr) return required ? std::nullopt : std::optional<int64_t>(fallback);
    return reader.ReadBytes(entry->value, min_bytes, kMaxMessageBytes);
  };
  if (*choice == "uniform") {
    auto min = read("min", kMinMessageBytes, true, 0);
    auto max = read("max", kMinMessageBytes, true, 0);
    if (!min || !max) return;
    if (*min > *max) {
      reader.Report(field.mark, field.Child("min"), "uniform size min must not exceed max");
      return;
    }
    size.distribution = MessageSizeSpec::Distribution::kUniform;
    size.min_bytes = *min;
    size.max_bytes = *max;
    return;
  }
  auto mean = read("mean", kMinMessageBytes, true, 0);
  auto stddev = read("stddev", 0, true, 0);
  if (!mean || !stddev) return;
  // Without explicit bounds, clamp at four standard deviations: buffers stay bounded by a sane maximum.
  auto min = read("min", kMinMessageBytes, false, std::max(kMinMessageBytes, *mean - 4 * *stddev));
  auto max = read("max", kMinMessageBytes, false, std::min(kMaxMessageBytes, *mean + 4 * *stddev));
  if (!min || !max) return;
  if (!(*min <= *mean && *mean <= *max)) {
    reader.Report(field.mark, field.Child("mean"), "normal size needs min <= mean <= max");
    return;
  }
  size.distribution = MessageSizeSpec::Distribution::kNormal;
  size.mean_bytes = *mean;
  size.stddev_bytes = *stddev;
  size.min_bytes = *min;
  size.max_bytes = *max;
}

const std::vector<std::string>& KeyDistributions() {
  static const std::vector<std::string> names = {"none", "round-robin", "random", "zipf"};
  return names;
}

KeySpec::Distribution ToKeyDistribution(const std::string& name) {
  if (name == "round-robin") return KeySpec::Distribution::kRoundRobin;
  if (name == "random") return KeySpec::Distribution::kRandom;
  if (name == "zipf") return KeySpec::Distribution::kZipf;
  return KeySpec::Distribution::kNone;
}

void ParseKeys(Reader& reader, const Field& field, KeySpec& keys) {
  if (!field.node.IsMap()) {
    if (auto name = reader.ReadChoice(field, KeyDistributions()))
      keys.distribution = ToKeyDistribution(*name);
    return;
  }
  std::optional<std::string> distribution;
  if (YAML::Node node = field.node["distribution"]; node && node.IsScalar()) distribution = node.Scalar();
  static const std::vector<std::string> kAll = {"distribution", "count", "exponent"};
  static const std::vector<std::string> kCounted = {"distribution", "count"};
  static const std::vector<std::string> kNone = {"distribution"};
  const std::vector<std::string>* allowed = &kAll;
  if (distribution == "none") allowed = &kNone;
  if (distribution == "round-robin" || distribution == "random") allowed = &kCounted;
  auto entries = reader.ReadMap(
      field, allowed, "in `" + field.path + "` for distribution `" + distribution.value_or("?") + "`");
  if (!entries) return;
  const MapEntry* kind =
      reader.Require(*entries, field, "distribution", "one of " + JoinQuoted(KeyDistributions()));
  std::optional<std::string> name;
  if (kind != nullptr) name = reader.ReadChoice(kind->value, KeyDistributions());
  std::optional<int64_t> count;
  std::optional<double> exponent;
  if (const MapEntry* entry = FindEntry(*entries, "count"))
    count = reader.ReadInt(entry->value, 1, kMaxKeyCount);
  if (const MapEntry* entry = FindEntry(*entries, "exponent")) {
    exponent = reader.ReadDouble(entry->value, 0.0, std::nullopt, /*min_exclusive=*/true);
  }
  if (!name) return;
  keys.distribution = ToKeyDistribution(*name);
  if (count) keys.count = *count;
  if (exponent) keys.zipf_exponent = *exponent;
}

// A total rate such as 20k/s (not `max`), within the file's bounds.
std::optional<double> ReadRateValue(Reader& reader, const Field& field) {
  std::optional<std::string> text = reader.ReadScalar(field, "a rate such as 20k/s");
  if (!text) return std::nullopt;
  Result<double> per_second = ParseRatePerSecond(*text);
  if (!per_second.ok()) {
    reader.Report(field.mark, field.path, per_second.status().message());
    return std::nullopt;
  }
  if (*per_second <= 0 || *per_second > kMaxRateMsgsPerS) {
    reader.Report(field.mark, field.path, "must be above 0 and at most 1G/s, found " + *text);
    return std::nullopt;
  }
  return *per_second;
}

// `rate: [{rate: 10k/s, for: 30s}, ...]`.
void ParseRateSteps(Reader& reader, const Field& field, RateSpec& rate) {
  if (field.node.size() == 0) {
    reader.Report(field.mark, field.path,
                  "the list of steps is empty; write at least {rate: 10k/s, for: 30s}");
    return;
  }
  if (static_cast<int64_t>(field.node.size()) > kMaxRateSteps) {
    reader.Report(
        field.mark, field.path,
        "at most " + std::to_string(kMaxRateSteps) + " steps, found " + std::to_string(field.node.size()));
    return;
  }
  static const std::vector<std::string> kKeys = {"rate", "for"};
  std::vector<RateStep> steps;
  for (size_t i = 0; i < field.node.size(); ++i) {
    Field item{field.node[i], field.node[i].Mark(), field.path + "[" + std::to_string(i) + "]"};
    if (!item.node.IsMap()) {
      reader.Report(item.mark, item.path,
                    "expected a step such as {rate: 10k/s, for: 30s}, found " + Reader::Describe(item.node));
      continue;
    }
    auto entries = reader.ReadMap(item, &kKeys, "in a rate step (a step has `rate` and `for`)");
    if (!entries) continue;
    const MapEntry* rate_entry = reader.Require(*entries, item, "rate", "a rate such as 10k/s");
    const MapEntry* for_entry = reader.Require(*entries, item, "for", "a duration such as 30s");
    if (rate_entry == nullptr || for_entry == nullptr) continue;
    std::optional<double> per_second = ReadRateValue(reader, rate_entry->value);
    std::optional<int64_t> ns = reader.ReadDurationNs(for_entry->value, 1'000'000, kMaxDurationNs);
    if (per_second && ns) steps.push_back({*per_second, *ns});
  }
  if (steps.size() != field.node.size()) return;
  rate.max = false;
  rate.steps = std::move(steps);
  rate.msgs_per_s = rate.steps.front().msgs_per_s;
}

// `rate: {ramp: {from: 1k/s, to: 50k/s, over: 60s}}`.
void ParseRamp(Reader& reader, const Field& field, RateSpec& rate) {
  static const std::vector<std::string> kKeys = {"from", "to", "over"};
  auto entries = reader.ReadMap(field, &kKeys, "in `" + field.path + "`");
  if (!entries) return;
  const MapEntry* from = reader.Require(*entries, field, "from", "a rate such as 1k/s");
  const MapEntry* to = reader.Require(*entries, field, "to", "a rate such as 50k/s");
  const MapEntry* over = reader.Require(*entries, field, "over", "a duration such as 60s");
  if (from == nullptr || to == nullptr || over == nullptr) return;
  std::optional<double> from_rate = ReadRateValue(reader, from->value);
  std::optional<double> to_rate = ReadRateValue(reader, to->value);
  std::optional<int64_t> over_ns = reader.ReadDurationNs(over->value, 1'000'000'000, kMaxDurationNs);
  if (!from_rate || !to_rate || !over_ns) return;
  rate.max = false;
  rate.ramp = RampSpec{*from_rate, *to_rate, *over_ns};
  rate.msgs_per_s = *from_rate;
}

// "5%" or 0.05.
std::optional<double> ReadFraction(Reader& reader, const Field& field) {
  std::optional<std::string> text = reader.ReadScalar(field, "a fraction such as 5% or 0.05");
  if (!text) return std::nullopt;
  std::string number = *text;
  double scale = 1.0;
  if (!number.empty() && number.back() == '%') {
    number.pop_back();
    scale = 0.01;
  }
  std::optional<double> value = ToDouble(number);
  if (!value || *value * scale <= 0 || *value * scale >= 1) {
    reader.Report(field.mark, field.path,
                  "expected a fraction above 0% and below 100% such as 5%, found `" + *text + "`");
    return std::nullopt;
  }
  return *value * scale;
}

// `rate: {find_max: {p99_e2e: "< 50ms", start: 10k/s, step_duration: 10s, within: 5%, max_steps: 16}}`.
void ParseFindMax(Reader& reader, const Field& field, RateSpec& rate) {
  static const std::vector<std::string> kKeys = {"p99_e2e", "start", "step_duration", "within", "max_steps"};
  auto entries = reader.ReadMap(field, &kKeys, "in `" + field.path + "`");
  if (!entries) return;
  FindMaxSpec spec;
  bool ok = true;
  const MapEntry* objective = reader.Require(*entries, field, "p99_e2e", "a bound such as \"< 50ms\"");
  const MapEntry* start = reader.Require(*entries, field, "start", "a rate such as 10k/s");
  if (objective == nullptr || start == nullptr) return;
  if (std::optional<std::string> text = reader.ReadScalar(objective->value, "a bound such as \"< 50ms\"")) {
    std::string bound = *text;
    const size_t first = bound.find_first_not_of(' ');
    if (first != std::string::npos && bound[first] == '<') bound = bound.substr(first + 1);
    if (!bound.empty() && bound.front() == '=') bound = bound.substr(1);
    bound.erase(0, bound.find_first_not_of(' '));
    Result<int64_t> ns = ParseDurationNs(bound);
    if (!ns.ok() || *ns <= 0) {
      reader.Report(
          objective->value.mark, objective->value.path,
          "expected an upper bound on the corrected e2e p99 such as \"< 50ms\", found `" + *text + "`");
      ok = false;
    } else {
      spec.p99_e2e_bound_ns = *ns;
      spec.objective_text = "e2e_latency.corrected.p99 < " + bound;
    }
  } else {
    ok = false;
  }
  if (std::optional<double> per_second = ReadRateValue(reader, start->value)) {
    spec.start_msgs_per_s = *per_second;
  } else {
    ok = false;
  }
  if (const MapEntry* entry = FindEntry(*entries, "step_duration")) {
    std::optional<int64_t> ns = reader.ReadDurationNs(entry->value, 100'000'000, kMaxFindMaxStepNs);
    if (ns) spec.step_duration_ns = *ns;
    ok = ok && ns.has_value();
  }
  if (const MapEntry* entry = FindEntry(*entries, "within")) {
    std::optional<double> within = ReadFraction(reader, entry->value);
    if (within) spec.within = *within;
    ok = ok && within.has_value();
  }
  if (const MapEntry* entry = FindEntry(*entries, "max_steps")) {
    std::optional<int64_t> count = reader.ReadInt(entry->value, 2, kMaxRateSteps);
    if (count) spec.max_steps = static_cast<int>(*count);
    ok = ok && count.has_value();
  }
  if (!ok) return;
  rate.max = false;
  rate.msgs_per_s = spec.start_msgs_per_s;
  rate.find_max = spec;
}

void ParseRate(Reader& reader, const Field& field, RateSpec& rate) {
  if (field.node.IsSequence()) {
    ParseRateSteps(reader, field, rate);
    return;
  }
  if (field.node.IsMap()) {
    static const std::vector<std::string> kKinds = {"ramp", "find_max"};
    auto entries =
        reader.ReadMap(field, &kKinds, "in `" + field.path + "` (a map takes `ramp` or `find_max`)");
    if (!entries) return;
    if (entries->size() != 1) {
      // An unknown key was reported (and skipped) already.
      if (entries->size() > 1 || field.node.size() == 0)
        reader.Report(field.mark, field.path, "write exactly one of `ramp` or `find_max`");
      return;
    }
    const MapEntry& kind = entries->front();
    if (!kind.value.node.IsMap()) {
      reader.Report(kind.value.mark, kind.value.path,
                    "expected a map, found " + Reader::Describe(kind.value.node));
      return;
    }
    if (kind.key == "ramp") {
      ParseRamp(reader, kind.value, rate);
    } else {
      ParseFindMax(reader, kind.value, rate);
    }
    return;
  }
  std::optional<std::string> text = reader.ReadScalar(
      field, "a rate such as 20k/s, `max`, a list of steps or a map with `ramp` or `find_max`");
  if (!text) return;
  if (*text == "max" || *text == "MAX" || *text == "Max") {
    rate.max = true;
    return;
  }
  Result<double> per_second = ParseRatePerSecond(*text);
  if (!per_second.ok()) {
    reader.Report(field.mark, field.path, per_second.status().message(),
                  ClosestMatch(*text, {"max"}).empty() ? "" : "did you mean `max`?");
    return;
  }
  if (*per_second > kMaxRateMsgsPerS) {
    reader.Report(field.mark, field.path,
                  "must be at most 1G/s (use `max` for as fast as possible), found " + *text);
    return;
  }
  rate.max = false;
  rate.msgs_per_s = *per_second;
}

// A count such as 200000, 200k or 5M.
std::optional<int64_t> ReadCount(Reader& reader, const Field& field, int64_t min, int64_t max) {
  std::optional<std::string> text = reader.ReadScalar(field, "a count such as 200000, 200k or 5M");
  if (!text) return std::nullopt;
  std::string number = *text;
  double scale = 1;
  if (!number.empty() && (number.back() == 'k' || number.back() == 'K')) scale = 1e3;
  if (!number.empty() && number.back() == 'M') scale = 1e6;
  if (!number.empty() && number.back() == 'G') scale = 1e9;
  if (scale != 1) number.pop_back();
  std::optional<double> value = ToDouble(number);
  if (!value || *value * scale != std::floor(*value * scale)) {
    reader.Report(field.mark, field.path,
                  "expected a whole count such as 200000, 200k or 5M, found `" + *text + "`");
    return std::nullopt;
  }
  const double count = *value * scale;
  if (count < static_cast<double>(min) || count > static_cast<double>(max)) {
    reader.Report(
        field.mark, field.path,
        "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " + *text);
    return std::nullopt;
  }
  return static_cast<int64_t>(count);
}

// `backlog: {messages: 200k | size: 1GiB, drain_ratio: 1.0, max_drain: 10m}`. `size` is turned into
// messages by the caller, once the message size is known.
void ParseBacklog(Reader& reader, const Field& field, std::optional<BacklogSpec>& backlog) {
  static const std::vector<std::string> kKeys = {"messages", "size", "drain_ratio", "max_drain"};
  auto entries = reader.ReadMap(field, &kKeys, "in `" + field.path + "`");
  if (!entries) return;
  const MapEntry* messages = FindEntry(*entries, "messages");
  const MapEntry* size = FindEntry(*entries, "size");
  if ((messages == nullptr) == (size == nullptr)) {
    reader.Report(
        field.mark, field.path,
        messages ? "write `messages` or `size`, not both" : "missing `messages: 200k` or `size: 1GiB`");
    return;
  }
  BacklogSpec spec;
  if (messages != nullptr) {
    std::optional<int64_t> count = ReadCount(reader, messages->value, 1, kMaxBacklogMessages);
    if (!count) return;
    spec.messages = *count;
  } else {
    std::optional<int64_t> bytes = reader.ReadBytes(size->value, 1, kMaxBacklogBytes);
    if (!bytes) return;
    spec.bytes = *bytes;
  }
  if (const MapEntry* entry = FindEntry(*entries, "drain_ratio")) {
    std::optional<double> ratio = reader.ReadDouble(entry->value, 0.0, 1.0, /*min_exclusive=*/true);
    if (!ratio) return;
    spec.drain_ratio = *ratio;
  }
  if (const MapEntry* entry = FindEntry(*entries, "max_drain")) {
    std::optional<int64_t> ns = reader.ReadDurationNs(entry->value, 1'000'000'000, kDay);
    if (!ns) return;
    spec.max_drain_ns = *ns;
  }
  backlog = spec;
}

void ParsePayload(Reader& reader, const Field& field, PayloadSpec& payload) {
  static const std::vector<std::string> kKinds = {"random", "compressible", "file"};
  if (!field.node.IsMap()) {
    std::optional<std::string> kind = reader.ReadChoice(field, {"random", "compressible"});
    if (!kind) return;
    payload.kind = *kind == "random" ? PayloadSpec::Kind::kRandom : PayloadSpec::Kind::kCompressible;
    return;
  }
  static const std::vector<std::string> kKeys = {"kind", "ratio", "file", "pool", "random_bytes_ratio"};
  auto entries = reader.ReadMap(field, &kKeys, "in `" + field.path + "`");
  if (!entries) return;
  if (const MapEntry* pool = FindEntry(*entries, "pool")) {
    for (const char* other : {"kind", "ratio", "file"}) {
      if (const MapEntry* entry = FindEntry(*entries, other)) {
        reader.Report(
            entry->key_mark, entry->value.path,
            std::string("`") + other + "` does not go with `pool` (a pool takes `random_bytes_ratio`)");
        return;
      }
    }
    std::optional<int64_t> count = reader.ReadInt(pool->value, 1, kMaxPayloadPool);
    if (!count) return;
    payload.kind = PayloadSpec::Kind::kPool;
    payload.pool.count = *count;
    if (const MapEntry* entry = FindEntry(*entries, "random_bytes_ratio")) {
      if (auto ratio = reader.ReadDouble(entry->value, 0.0, 1.0)) payload.pool.random_bytes_ratio = *ratio;
    }
    return;
  }
  if (const MapEntry* entry = FindEntry(*entries, "random_bytes_ratio")) {
    reader.Report(entry->key_mark, entry->value.path, "`random_bytes_ratio` applies only to a `pool`");
    return;
  }
  const MapEntry* kind_entry = FindEntry(*entries, "kind");
  const MapEntry* ratio_entry = FindEntry(*entries, "ratio");
  const MapEntry* file_entry = FindEntry(*entries, "file");
  std::optional<std::string> kind;
  if (kind_entry != nullptr) {
    kind = reader.ReadChoice(kind_entry->value, kKinds);
    if (!kind) return;
  } else if (file_entry != nullptr) {
    kind = "file";
  } else {
    reader.Report(
        field.mark, field.Child("kind"),
        "missing `kind` (random or compressible) or `file` (a payload file relative to the experiment)");
    return;
  }
  if (*kind != "compressible" && ratio_entry != nullptr) {
    reader.Report(ratio_entry->key_mark, ratio_entry->value.path,
                  "`ratio` applies only to kind `compressible`");
  }
  if (*kind != "file" && file_entry != nullptr) {
    reader.Report(file_entry->key_mark, file_entry->value.path, "`file` applies only to kind `file`");
  }
  if (*kind == "random") {
    payload.kind = PayloadSpec::Kind::kRandom;
  } else if (*kind == "compressible") {
    payload.kind = PayloadSpec::Kind::kCompressible;
    if (ratio_entry != nullptr) {
      auto ratio = reader.ReadDouble(ratio_entry->value, 0.0, 1.0, /*min_exclusive=*/true);
      if (ratio) payload.compress_ratio = *ratio;
    }
  } else {
    if (file_entry == nullptr) {
      reader.Report(field.mark, field.Child("file"),
                    "kind `file` needs `file: <path relative to the experiment>`");
      return;
    }
    auto path = reader.ReadScalar(file_entry->value, "a file path");
    if (!path) return;
    if (path->empty()) {
      reader.Report(file_entry->value.mark, file_entry->value.path, "the payload file path is empty");
      return;
    }
    payload.kind = PayloadSpec::Kind::kFile;
    payload.file = *path;
    payload.location = reader.Locate(file_entry->value.mark);
  }
}

// What steps, ramps, searches and backlogs exclude, said at the key that excludes it.
void CheckRateShape(Reader& reader, WorkloadSpec& workload, const MapEntry* rate_entry,
                    const MapEntry* duration_entry, const MapEntry* messages_entry,
                    const MapEntry* backlog_entry) {
  RateSpec& rate = workload.rate;
  const bool shaped = !rate.steps.empty() || rate.ramp || rate.find_max;
  if (shaped && duration_entry != nullptr) {
    reader.Report(duration_entry->key_mark, duration_entry->value.path,
                  rate.find_max
                      ? "a find_max search takes no `duration` (its steps last `step_duration`); remove it"
                      : "with rate steps or a ramp the duration is theirs (the sum of the steps, or `over`); "
                        "remove `duration`");
  }
  if (shaped && messages_entry != nullptr) {
    reader.Report(messages_entry->key_mark, messages_entry->value.path,
                  "a message cap does not go with rate steps, a ramp or find_max; remove `messages`");
  }
  if (backlog_entry != nullptr && workload.backlog && (shaped || rate.max)) {
    reader.Report(
        backlog_entry->key_mark, backlog_entry->value.path,
        "a backlog is built at a fixed rate: write `rate: 10k/s` (not max, steps, a ramp or find_max)");
    workload.backlog.reset();
  }
  if (backlog_entry != nullptr && workload.backlog && messages_entry != nullptr) {
    reader.Report(messages_entry->key_mark, messages_entry->value.path,
                  "a message cap does not go with a backlog; remove `messages`");
  }
  if (workload.backlog && workload.backlog->messages == 0) {
    const int64_t message_bytes =
        std::max<int64_t>(1, workload.message_size.distribution == MessageSizeSpec::Distribution::kFixed
                                 ? workload.message_size.fixed_bytes
                             : workload.message_size.mean_bytes > 0
                                 ? workload.message_size.mean_bytes
                                 : (workload.message_size.min_bytes + workload.message_size.max_bytes) / 2);
    workload.backlog->messages = std::max<int64_t>(1, workload.backlog->bytes / message_bytes);
    if (workload.backlog->messages > kMaxBacklogMessages) {
      reader.Report(backlog_entry->value.mark, backlog_entry->value.path,
                    "that size is " + std::to_string(workload.backlog->messages) + " messages, more than " +
                        std::to_string(kMaxBacklogMessages));
      workload.backlog.reset();
    }
  }
  if (!rate.steps.empty()) {
    workload.duration_ns = 0;
    for (const RateStep& step : rate.steps) workload.duration_ns += step.duration_ns;
    if (workload.duration_ns > kMaxDurationNs) {
      reader.Report(rate_entry->value.mark, rate_entry->value.path,
                    "the steps together last longer than 30 days");
    }
  } else if (rate.ramp) {
    workload.duration_ns = rate.ramp->over_ns;
  } else if (rate.find_max) {
    // The search ends by itself; the measured window is the whole search (see FindMaxSpec::MaxLoadNs).
    workload.duration_ns = rate.find_max->MaxLoadNs();
  }
}

}  // namespace

void ParseWorkload(Reader& reader, const Field& field, WorkloadSpec& workload) {
  static const std::vector<std::string> kKeys = {
      "topics",
      "partitions",
      "producers",
      "consumers",
      "message_size",
      "keys",
      "rate",
      "payload",
      "warmup",
      "duration",
      "messages",
      "drain_timeout",
      "max_backlog",
      "generator_cpus",
      "subscriptions",
      "consumers_per_subscription",
      "producers_per_topic",
      "backlog",
  };
  auto entries = reader.ReadMap(field, &kKeys, "in `workload`");
  if (!entries) return;
  bool backlog_given = false;
  const MapEntry* producers_entry = nullptr;
  const MapEntry* per_topic_entry = nullptr;
  const MapEntry* duration_entry = nullptr;
  const MapEntry* rate_entry = nullptr;
  const MapEntry* backlog_entry = nullptr;
  const MapEntry* messages_entry = nullptr;
  const MapEntry* streams_field = nullptr;    // the later of topics/partitions, for the product's bound
  const MapEntry* consumers_field = nullptr;  // consumers or its synonym consumers_per_subscription
  const MapEntry* subscriptions_field = nullptr;
  for (const MapEntry& entry : *entries) {
    const Field& value = entry.value;
    const std::string& key = entry.key;
    if (key == "consumers_per_subscription" || key == "subscriptions") {
      if (key == "consumers_per_subscription" && consumers_field != nullptr) {
        reader.Report(entry.key_mark, value.path,
                      "`consumers_per_subscription` is a synonym of `" + consumers_field->key +
                          "`, which is given already; keep one of them");
        continue;
      }
      std::optional<int64_t> count =
          reader.ReadInt(value, 1, key == "subscriptions" ? kMaxSubscriptions : kMaxConsumers);
      if (!count) continue;
      if (key == "subscriptions") {
        workload.subscriptions = static_cast<int>(*count);
        subscriptions_field = &entry;
      } else {
        workload.consumers = static_cast<int>(*count);
        consumers_field = &entry;
      }
    } else if (key == "consumers" && consumers_field != nullptr) {
      reader.Report(entry.key_mark, value.path,
                    "`consumers` is a synonym of `consumers_per_subscription`, which is given already; keep "
                    "one of them");
    } else if (key == "topics" || key == "partitions" || key == "producers" || key == "consumers") {
      // consumers: 0 would report "0 received, 0 lost, ok" for a run that checked nothing.
      const int64_t max = key == "topics"       ? kMaxTopics
                          : key == "partitions" ? kMaxPartitions
                          : key == "producers"  ? kMaxProducers
                                                : kMaxConsumers;
      std::optional<int64_t> count = reader.ReadInt(value, 1, max);
      if (!count) continue;
      if (key == "topics" || key == "partitions") streams_field = &entry;
      if (key == "producers") producers_entry = &entry;
      if (key == "consumers") consumers_field = &entry;
      int& target = key == "topics"       ? workload.topics
                    : key == "partitions" ? workload.partitions
                    : key == "producers"  ? workload.producers
                                          : workload.consumers;
      target = static_cast<int>(*count);
    } else if (key == "message_size") {
      ParseMessageSize(reader, value, workload.message_size);
    } else if (key == "keys") {
      ParseKeys(reader, value, workload.keys);
    } else if (key == "producers_per_topic") {
      per_topic_entry = &entry;
      if (auto count = reader.ReadInt(value, 1, kMaxProducers))
        workload.producers_per_topic = static_cast<int>(*count);
    } else if (key == "backlog") {
      backlog_entry = &entry;
      ParseBacklog(reader, value, workload.backlog);
    } else if (key == "rate") {
      rate_entry = &entry;
      ParseRate(reader, value, workload.rate);
    } else if (key == "payload") {
      ParsePayload(reader, value, workload.payload);
    } else if (key == "warmup") {
      if (auto ns = reader.ReadDurationNs(value, 0, kMaxDurationNs)) workload.warmup_ns = *ns;
    } else if (key == "duration") {
      duration_entry = &entry;
      if (auto ns = reader.ReadDurationNs(value, 1, kMaxDurationNs)) workload.duration_ns = *ns;
    } else if (key == "messages") {
      messages_entry = &entry;
      if (auto count = reader.ReadInt(value, 1, kMaxMessages)) workload.messages = *count;
    } else if (key == "drain_timeout") {
      if (auto ns = reader.ReadDurationNs(value, 0, kMaxDrainTimeoutNs)) workload.drain_timeout_ns = *ns;
    } else if (key == "generator_cpus") {
      if (auto text = reader.ReadScalar(value, "a CPU list such as 0, 0-1 or 0,2-3")) {
        const bool well_formed = !text->empty() &&
                                 text->find_first_not_of("0123456789,-") == std::string::npos &&
                                 std::isdigit(static_cast<unsigned char>(text->front())) &&
                                 std::isdigit(static_cast<unsigned char>(text->back()));
        if (well_formed) {
          workload.generator_cpus = *text;
        } else {
          reader.Report(value.mark, value.path,
                        "expected a CPU list such as 0, 0-1 or 0,2-3, found `" + *text + "`");
        }
      }
    } else if (key == "max_backlog") {
      if (auto count = reader.ReadInt(value, 1, kMaxBacklog)) {
        workload.max_backlog = *count;
        backlog_given = true;
      }
    }
  }
  if (streams_field != nullptr && int64_t{workload.topics} * workload.partitions > kMaxStreams) {
    reader.Report(streams_field->value.mark, streams_field->value.path,
                  "topics x partitions is " + std::to_string(int64_t{workload.topics} * workload.partitions) +
                      ", more than the " + std::to_string(kMaxStreams) + " streams one run may have");
  }
  CheckRateShape(reader, workload, rate_entry, duration_entry, messages_entry, backlog_entry);
  if (per_topic_entry != nullptr && workload.producers_per_topic > 0) {
    if (producers_entry != nullptr) {
      reader.Report(per_topic_entry->key_mark, per_topic_entry->value.path,
                    "write `producers` (all producers) or `producers_per_topic`, not both");
    } else if (int64_t{workload.producers_per_topic} * workload.topics > kMaxProducers) {
      reader.Report(per_topic_entry->value.mark, per_topic_entry->value.path,
                    "producers_per_topic x topics is " +
                        std::to_string(int64_t{workload.producers_per_topic} * workload.topics) +
                        ", more than the " + std::to_string(kMaxProducers) +
                        " producers (threads) one run may have");
    } else {
      workload.producers = workload.producers_per_topic * workload.topics;
    }
  }
  if (const MapEntry* later =
          subscriptions_field != nullptr && consumers_field != nullptr
              ? (subscriptions_field->value.mark.pos > consumers_field->value.mark.pos ? subscriptions_field
                                                                                       : consumers_field)
              : nullptr;
      later != nullptr && workload.consumer_threads() > kMaxConsumers) {
    reader.Report(later->value.mark, later->value.path,
                  "subscriptions x consumers is " + std::to_string(workload.consumer_threads()) +
                      " consumer threads, more than the " + std::to_string(kMaxConsumers) +
                      " one run may have");
  }
  if (!backlog_given) {
    // About 2 MiB of messages per stream, at most 100k in all: small enough for systems that keep
    // little per partition (librdkafka's mock cluster keeps ~5 MiB), large enough to keep pipes full.
    const int64_t per_stream = (int64_t{2} << 20) / std::max<int64_t>(1, workload.message_size.max_bytes);
    workload.max_backlog = std::clamp<int64_t>(per_stream * workload.streams(), 1000, 100'000);
  }
}

void ParseOutput(Reader& reader, const Field& field, OutputSpec& output) {
  static const std::vector<std::string> kKeys = {"dir", "endpoint", "region"};
  auto entries = reader.ReadMap(field, &kKeys, "in `output`");
  if (!entries) return;
  if (const MapEntry* dir = FindEntry(*entries, "dir")) {
    auto text = reader.ReadScalar(dir->value, "a directory path");
    if (text && text->empty()) {
      reader.Report(dir->value.mark, dir->value.path, "the output directory is empty");
    } else if (text && text->rfind("s3://", 0) == 0 && (text->size() == 5 || (*text)[5] == '/')) {
      reader.Report(dir->value.mark, dir->value.path, "expected s3://bucket or s3://bucket/prefix");
    } else if (text) {
      output.dir = *text;
    }
  }
  const bool s3 = output.dir.rfind("s3://", 0) == 0;
  for (const char* key : {"endpoint", "region"}) {
    const MapEntry* entry = FindEntry(*entries, key);
    if (entry == nullptr) continue;
    auto text = reader.ReadScalar(entry->value, key == std::string("endpoint") ? "a URL" : "an AWS region");
    if (!text) continue;
    if (!s3) {
      reader.Report(entry->value.mark, entry->value.path,
                    std::string("`") + key + "` applies only to an s3://bucket/prefix output dir");
    } else if (key == std::string("endpoint") && text->rfind("http://", 0) != 0 &&
               text->rfind("https://", 0) != 0) {
      reader.Report(entry->value.mark, entry->value.path, "the endpoint must start with http:// or https://");
    } else {
      (key == std::string("endpoint") ? output.endpoint : output.region) = *text;
    }
  }
}

}  // namespace bakeoff::spec_internal
