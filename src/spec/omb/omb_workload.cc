// The OMB workload file -> bakeoff's `workload:` section. OMB's keys and their meaning (OMB's
// Workload class): counts per topic, a total producer rate in msg/s where 0 means "search for the
// highest sustainable rate", a backlog in GiB, durations in whole minutes (warm-up 1 by default).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "spec/bounded_file.h"
#include "spec/internal/workload_parser.h"
#include "spec/limits.h"
#include "spec/omb/omb_mapping.h"

namespace bakeoff::omb_internal {
namespace {

using spec_internal::Field;
using spec_internal::FindEntry;
using spec_internal::MapEntry;
using spec_internal::Reader;

const std::vector<std::string>& WorkloadKeys() {
  static const std::vector<std::string> keys = {
      "name",
      "topics",
      "partitionsPerTopic",
      "messageSize",
      "payloadFile",
      "useRandomizedPayloads",
      "randomBytesRatio",
      "randomizedPayloadPoolSize",
      "subscriptionsPerTopic",
      "producersPerTopic",
      "consumerPerSubscription",
      "producerRate",
      "consumerBacklogSizeGB",
      "backlogDrainRatio",
      "keyDistributor",
      "testDurationMinutes",
      "warmupDurationMinutes",
  };
  return keys;
}

// OMB's key distributors draw from this many distinct keys.
constexpr int64_t kOmbDistinctKeys = 10'000;
constexpr int64_t kMinuteNs = 60'000'000'000;
constexpr int64_t kGiB = int64_t{1} << 30;

class WorkloadMapper {
 public:
  WorkloadMapper(Reader& reader, const std::string& file_name, const OmbImportOptions& options,
                 WorkloadMapping& out)
      : reader_(reader), file_name_(file_name), options_(options), out_(out) {}

  void Map(const YAML::Node& root) {
    Field field{root, root.Mark(), ""};
    if (!root.IsMap()) {
      reader_.Report(field.mark, "",
                     "an OpenMessaging Benchmark workload must be a map of keys such as `topics` and "
                     "`producerRate`, found " +
                         Reader::Describe(root));
      return;
    }
    auto entries = reader_.ReadMap(field, &WorkloadKeys(), "in an OpenMessaging Benchmark workload");
    if (!entries) return;
    entries_ = &*entries;
    root_ = &field;
    MapName();
    MapCounts();
    MapMessages();
    MapKeys();
    MapRate();
    MapBacklog();
    MapDurations();
  }

 private:
  const MapEntry* Find(const std::string& key) const { return FindEntry(*entries_, key); }
  // "OMB topics: 4 (w.yaml:2)"
  std::string From(const MapEntry& entry) const {
    std::string value = entry.value.node.IsScalar() ? entry.value.node.Scalar() : "...";
    return "OMB " + entry.key + ": " + value + " (" + LineOf(reader_, entry.key_mark) + ")";
  }
  std::string Default(const std::string& key, const std::string& value) const {
    return "OMB " + key + ": " + value + " (OMB's default; not in " + file_name_ + ")";
  }
  void Line(const std::string& text, const std::string& comment) {
    out_.workload_lines.push_back({2, text, comment});
  }
  void Note(const std::string& comment) { out_.workload_lines.push_back({2, "", comment}); }

  std::optional<int64_t> RequiredInt(const std::string& key, int64_t min, int64_t max,
                                     const std::string& what) {
    const MapEntry* entry = reader_.Require(*entries_, *root_, key, what);
    if (entry == nullptr) return std::nullopt;
    return reader_.ReadInt(entry->value, min, max);
  }

  void MapName() {
    const std::string stem = std::filesystem::path(file_name_).stem().string();
    std::string comment = "OMB name not given: the workload file's name";
    if (const MapEntry* entry = Find("name")) {
      if (auto text = reader_.ReadScalar(entry->value, "the workload's name")) {
        out_.omb_name = *text;
        comment = From(*entry);
      }
    }
    out_.name = SafeName(out_.omb_name.empty() ? stem : out_.omb_name, "omb-workload");
    out_.name_lines.push_back({0, "name: " + out_.name, comment});
  }

  void MapCounts() {
    auto topics = RequiredInt("topics", 1, kMaxTopics, "the number of topics");
    if (topics) {
      topics_ = *topics;
      Line("topics: " + std::to_string(*topics), From(*Find("topics")));
    }
    if (auto partitions = RequiredInt("partitionsPerTopic", 1, kMaxPartitions, "partitions per topic")) {
      Line("partitions: " + std::to_string(*partitions), From(*Find("partitionsPerTopic")));
    }
    // OMB counts producers and consumers per topic (consumers per subscription of a topic); bakeoff's
    // subscriptions span every topic, so one bakeoff subscription gets the consumers of all topics.
    if (auto producers = RequiredInt("producersPerTopic", 1, kMaxProducers, "producers per topic")) {
      const std::string from = From(*Find("producersPerTopic"));
      if (topics_ == 1) {
        Line("producers: " + std::to_string(*producers), from + "; one topic: producers = producersPerTopic");
      } else {
        Line("producers_per_topic: " + std::to_string(*producers), from);
      }
    }
    if (auto subscriptions = RequiredInt("subscriptionsPerTopic", 1, 1024,
                                         "subscriptions per topic (1 = one consumer group)")) {
      const std::string from = From(*Find("subscriptionsPerTopic"));
      if (*subscriptions == 1) {
        Note(from + ": one subscription, bakeoff's default");
      } else {
        Line("subscriptions: " + std::to_string(*subscriptions), from);
      }
    }
    if (auto consumers =
            RequiredInt("consumerPerSubscription", 1, kMaxConsumers, "consumers per subscription")) {
      const MapEntry& entry = *Find("consumerPerSubscription");
      const int64_t total = *consumers * topics_;
      if (total > kMaxConsumers) {
        reader_.Report(entry.value.mark, entry.value.path,
                       "consumerPerSubscription x topics is " + std::to_string(total) + ", more than the " +
                           std::to_string(kMaxConsumers) + " consumer threads one run may have");
      } else {
        Line("consumers: " + std::to_string(total),
             From(entry) + (topics_ == 1 ? "" : " x " + std::to_string(topics_) + " topics") +
                 ", per subscription");
      }
    }
  }

  void MapMessages() {
    std::optional<int64_t> size = RequiredInt("messageSize", spec_internal::kMinMessageBytes,
                                              spec_internal::kMaxMessageBytes, "the message size in bytes");
    if (size) Line("message_size: " + std::to_string(*size) + "B", From(*Find("messageSize")));
    bool randomized = false;
    if (const MapEntry* entry = Find("useRandomizedPayloads")) {
      if (auto value = reader_.ReadBool(entry->value)) randomized = *value;
    }
    std::optional<double> ratio;
    std::optional<int64_t> pool;
    if (const MapEntry* entry = Find("randomBytesRatio")) ratio = reader_.ReadDouble(entry->value, 0.0, 1.0);
    if (const MapEntry* entry = Find("randomizedPayloadPoolSize"))
      pool = reader_.ReadInt(entry->value, 1, kMaxPayloadPool);
    const MapEntry* file = Find("payloadFile");
    if (randomized) {
      const MapEntry& flag = *Find("useRandomizedPayloads");
      if (!pool) {
        reader_.Report(
            flag.key_mark, "randomizedPayloadPoolSize",
            "useRandomizedPayloads: true needs randomizedPayloadPoolSize (how many distinct payloads)");
        return;
      }
      if (size && *pool * *size > kMaxPayloadPoolBytes) {
        const MapEntry& entry = *Find("randomizedPayloadPoolSize");
        reader_.Report(entry.value.mark, entry.value.path,
                       "randomizedPayloadPoolSize x messageSize is " + std::to_string(*pool * *size) +
                           " bytes, more than the " + std::to_string(kMaxPayloadPoolBytes >> 20) +
                           " MiB a producer's pool may hold; use at most " +
                           std::to_string(kMaxPayloadPoolBytes / *size) + " payloads");
        return;
      }
      const double random_ratio = ratio.value_or(0.0);
      Line("payload: {pool: " + std::to_string(*pool) + ", random_bytes_ratio: " + NumberText(random_ratio) +
               "}",
           From(flag) + ", randomizedPayloadPoolSize: " + std::to_string(*pool) +
               ", randomBytesRatio: " + NumberText(random_ratio) + (ratio ? "" : " (OMB's default)"));
      if (file != nullptr) Note(From(*file) + ": not used, as in OMB (useRandomizedPayloads: true)");
      return;
    }
    if (const MapEntry* flag = Find("useRandomizedPayloads"))
      Note(From(*flag) + ": the body is payloadFile's");
    for (const char* key : {"randomBytesRatio", "randomizedPayloadPoolSize"}) {
      if (const MapEntry* entry = Find(key))
        Note(From(*entry) + ": not used (useRandomizedPayloads is false)");
    }
    if (file == nullptr) {
      reader_.Report(
          root_->mark, "payloadFile",
          "missing `payloadFile` (a file holding one message body); or give useRandomizedPayloads: "
          "true with randomizedPayloadPoolSize");
      return;
    }
    auto path = reader_.ReadScalar(file->value, "a payload file path");
    if (!path) return;
    std::optional<std::string> resolved = ResolvePayload(*file, *path, size);
    if (resolved) Line("payload: {file: " + Quoted(*resolved) + "}", From(*file));
  }

  // The current directory first, then the workload file's directory (OMB resolves against the
  // current directory only). The size must be messageSize: OMB sends the file as the body.
  std::optional<std::string> ResolvePayload(const MapEntry& entry, const std::string& path,
                                            std::optional<int64_t> message_size) {
    namespace fs = std::filesystem;
    if (path.empty()) {
      reader_.Report(entry.value.mark, entry.value.path, "the payload file path is empty");
      return std::nullopt;
    }
    std::error_code ec;
    std::vector<fs::path> candidates = {fs::absolute(path, ec)};
    if (fs::path(path).is_relative())
      candidates.push_back(fs::absolute(fs::path(file_name_).parent_path() / path, ec));
    const fs::path* found = nullptr;
    for (const fs::path& candidate : candidates) {
      if (fs::exists(candidate, ec)) {
        found = &candidate;
        break;
      }
    }
    if (found == nullptr) {
      std::string tried;
      for (const fs::path& candidate : candidates)
        tried += (tried.empty() ? "" : ", then ") + candidate.string();
      reader_.Report(entry.value.mark, entry.value.path, "payload file not found; looked for " + tried);
      return std::nullopt;
    }
    Result<int64_t> bytes = CheckBoundedRegularFile(found->string(), kMaxPayloadFileBytes, "payload file");
    if (!bytes.ok()) {
      reader_.Report(entry.value.mark, entry.value.path, bytes.status().message());
      return std::nullopt;
    }
    if (message_size && *bytes != *message_size) {
      reader_.Report(entry.value.mark, entry.value.path,
                     "payload file " + found->string() + " holds " + std::to_string(*bytes) +
                         " bytes but messageSize is " + std::to_string(*message_size) +
                         "; OMB sends the file as the message, so make them agree");
      return std::nullopt;
    }
    const fs::path absolute = fs::weakly_canonical(*found, ec);
    if (options_.output_path.empty()) return absolute.string();
    const fs::path base = fs::weakly_canonical(fs::absolute(options_.output_path, ec).parent_path(), ec);
    fs::path relative = fs::relative(absolute, base, ec);
    return ec || relative.empty() ? absolute.string() : relative.string();
  }

  void MapKeys() {
    const MapEntry* entry = Find("keyDistributor");
    if (entry == nullptr) {
      Line("keys: none", Default("keyDistributor", "NO_KEY"));
      return;
    }
    auto name = reader_.ReadChoice(entry->value, {"NO_KEY", "KEY_ROUND_ROBIN", "RANDOM_NANO"});
    if (!name) return;
    const std::string count = std::to_string(kOmbDistinctKeys);
    if (*name == "NO_KEY") {
      Line("keys: none", From(*entry));
    } else if (*name == "KEY_ROUND_ROBIN") {
      Line("keys: {distribution: round-robin, count: " + count + "}",
           From(*entry) + ": OMB's " + count + " keys in turn");
    } else {
      Line("keys: {distribution: random, count: " + count + "}",
           From(*entry) + ": one of OMB's " + count + " keys at random");
    }
  }

  void MapRate() {
    const MapEntry* entry =
        reader_.Require(*entries_, *root_, "producerRate",
                        "the total publish rate in msg/s, or 0 to search for the highest sustainable rate");
    if (entry == nullptr) return;
    auto rate = reader_.ReadInt(entry->value, 0, static_cast<int64_t>(kMaxRateMsgsPerS));
    if (!rate) return;
    const std::string scale =
        options_.rate_scale == 1.0 ? "" : " x rate scale " + NumberText(options_.rate_scale);
    if (*rate > 0) {
      const double scaled = static_cast<double>(*rate) * options_.rate_scale;
      if (scaled < 0.001) {
        reader_.Report(entry->value.mark, entry->value.path,
                       "producerRate x --rate-scale is " + NumberText(scaled) + " msg/s; use a larger scale");
        return;
      }
      Line("rate: " + RateText(scaled), From(*entry) + " msg/s in all" + scale);
      return;
    }
    find_max_ = true;
    // OMB starts its search at 10k msg/s and keeps the rate the consumers keep up with; it has no
    // latency objective. bakeoff's search needs one: a loose p99 so that, as in OMB, backlog growth decides.
    const double start = 10'000.0 * options_.rate_scale;
    Line("rate: {find_max: {p99_e2e: \"< 10s\", start: " + RateText(start) +
             ", step_duration: " + DurationText(ScaledNs(10.0 / 60.0)) + ", within: 5%}}",
         From(*entry) + ": find the highest sustainable rate, from OMB's 10k/s" + scale);
  }

  // OMB builds the backlog at producerRate with consumers paused, then resumes them until all but
  // (1 - backlogDrainRatio) of it is read: bakeoff's `backlog` phase. --duration-scale scales the
  // backlog's size too (so its build time at the rate scales as the durations do).
  void MapBacklog() {
    std::optional<int64_t> gib;
    const MapEntry* size = Find("consumerBacklogSizeGB");
    if (size != nullptr) gib = reader_.ReadInt(size->value, 0, 1 << 20);
    std::optional<double> drain;
    const MapEntry* ratio = Find("backlogDrainRatio");
    if (ratio != nullptr) drain = reader_.ReadDouble(ratio->value, 0.0, 1.0);
    if (!gib || *gib == 0) {
      if (size != nullptr && gib) Note(From(*size) + ": no backlog phase");
      if (ratio != nullptr && drain) Note(From(*ratio) + ": not used without a backlog");
      return;
    }
    if (find_max_) {
      reader_.Report(
          size->key_mark, size->value.path,
          "consumerBacklogSizeGB with producerRate: 0: bakeoff builds a backlog at a fixed rate; "
          "give producerRate in msg/s, or consumerBacklogSizeGB: 0 to search for the highest rate");
      return;
    }
    if (ratio != nullptr && drain && *drain <= 0.0) {
      reader_.Report(ratio->value.mark, ratio->value.path,
                     "backlogDrainRatio 0 drains nothing; give the share of the backlog to read, above 0 and "
                     "at most 1");
      return;
    }
    const double bytes = static_cast<double>(*gib * kGiB) * options_.duration_scale;
    const std::string size_text = options_.duration_scale == 1.0
                                      ? std::to_string(*gib) + "GiB"
                                      : std::to_string(std::max<int64_t>(1, std::llround(bytes))) + "B";
    const std::string scale =
        options_.duration_scale == 1.0 ? "" : " x duration scale " + NumberText(options_.duration_scale);
    Line("backlog: {size: " + size_text + ", drain_ratio: " + NumberText(drain.value_or(1.0)) + "}",
         From(*size) + " (GiB, " + std::to_string(*gib * kGiB) + " bytes" + scale + "), " +
             (ratio != nullptr ? "backlogDrainRatio: " + NumberText(drain.value_or(1.0))
                               : Default("backlogDrainRatio", "1.0").substr(4)));
  }

  void MapDurations() {
    const std::string scale =
        options_.duration_scale == 1.0 ? "" : " x duration scale " + NumberText(options_.duration_scale);
    if (const MapEntry* entry = Find("warmupDurationMinutes")) {
      if (auto minutes = reader_.ReadInt(entry->value, 0, kMaxDurationNs / kMinuteNs)) {
        Line("warmup: " + DurationText(ScaledNs(static_cast<double>(*minutes))),
             From(*entry) + " min" + scale);
      }
    } else {
      Line("warmup: " + DurationText(ScaledNs(1.0)), Default("warmupDurationMinutes", "1") + scale);
    }
    auto minutes =
        RequiredInt("testDurationMinutes", 1, kMaxDurationNs / kMinuteNs, "the test duration in minutes");
    if (!minutes) return;
    const MapEntry& entry = *Find("testDurationMinutes");
    if (find_max_) {
      Note(From(entry) + " min: not used, a find_max search lasts as long as its steps");
      return;
    }
    const int64_t ns = ScaledNs(static_cast<double>(*minutes));
    if (ns < 1'000'000) {
      reader_.Report(entry.value.mark, entry.value.path,
                     "testDurationMinutes x --duration-scale is under 1 ms; use a larger scale");
      return;
    }
    Line("duration: " + DurationText(ns), From(entry) + " min" + scale);
  }

  // Minutes x the duration scale, in whole microseconds (exact in the written text).
  int64_t ScaledNs(double minutes) const {
    const double us = std::round(minutes * 60e6 * options_.duration_scale);
    return static_cast<int64_t>(std::min(us, static_cast<double>(kMaxDurationNs) / 1000)) * 1000;
  }

  Reader& reader_;
  const std::string& file_name_;
  const OmbImportOptions& options_;
  WorkloadMapping& out_;
  const std::vector<MapEntry>* entries_ = nullptr;
  const Field* root_ = nullptr;
  int64_t topics_ = 1;
  bool find_max_ = false;  // producerRate: 0
};

}  // namespace

void MapWorkload(Reader& reader, const YAML::Node& root, const std::string& file_name,
                 const OmbImportOptions& options, WorkloadMapping& out) {
  WorkloadMapper(reader, file_name, options, out).Map(root);
}

}  // namespace bakeoff::omb_internal
