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

void ParseRate(Reader& reader, const Field& field, RateSpec& rate) {
  std::optional<std::string> text = reader.ReadScalar(field, "a rate such as 20k/s, or `max`");
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

void ParsePayload(Reader& reader, const Field& field, PayloadSpec& payload) {
  static const std::vector<std::string> kKinds = {"random", "compressible", "file"};
  if (!field.node.IsMap()) {
    std::optional<std::string> kind = reader.ReadChoice(field, {"random", "compressible"});
    if (!kind) return;
    payload.kind = *kind == "random" ? PayloadSpec::Kind::kRandom : PayloadSpec::Kind::kCompressible;
    return;
  }
  static const std::vector<std::string> kKeys = {"kind", "ratio", "file"};
  auto entries = reader.ReadMap(field, &kKeys, "in `" + field.path + "`");
  if (!entries) return;
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

}  // namespace

void ParseWorkload(Reader& reader, const Field& field, WorkloadSpec& workload) {
  static const std::vector<std::string> kKeys = {
      "topics",       "partitions",     "producers",     "consumers",
      "message_size", "keys",           "rate",          "payload",
      "warmup",       "duration",       "messages",      "drain_timeout",
      "max_backlog",  "generator_cpus", "subscriptions", "consumers_per_subscription",
  };
  auto entries = reader.ReadMap(field, &kKeys, "in `workload`");
  if (!entries) return;
  bool backlog_given = false;
  const MapEntry* streams_field = nullptr;  // the later of topics/partitions, for the product's bound
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
    } else if (key == "rate") {
      ParseRate(reader, value, workload.rate);
    } else if (key == "payload") {
      ParsePayload(reader, value, workload.payload);
    } else if (key == "warmup") {
      if (auto ns = reader.ReadDurationNs(value, 0, kMaxDurationNs)) workload.warmup_ns = *ns;
    } else if (key == "duration") {
      if (auto ns = reader.ReadDurationNs(value, 1, kMaxDurationNs)) workload.duration_ns = *ns;
    } else if (key == "messages") {
      if (auto count = reader.ReadInt(value, 1, kMaxMessages)) workload.messages = *count;
    } else if (key == "drain_timeout") {
      if (auto ns = reader.ReadDurationNs(value, 0, kMaxDrainTimeoutNs)) workload.drain_timeout_ns = *ns;
    } else if (key == "generator_cpus") {
      if (auto text = reader.ReadScalar(value, "a CPU list such as 0, 0-1 or 0,2-3")) {
        const bool well_formed = !text->empty() && text->find_first_not_of("0123456789,-") == std::string::npos &&
                                 std::isdigit(static_cast<unsigned char>(text->front())) &&
                                 std::isdigit(static_cast<unsigned char>(text->back()));
        if (well_formed) {
          workload.generator_cpus = *text;
        } else {
          reader.Report(value.mark, value.path, "expected a CPU list such as 0, 0-1 or 0,2-3, found `" + *text + "`");
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
    workload.max_backlog =
        std::clamp<int64_t>(per_stream * workload.streams(), 1000, 100'000);
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
