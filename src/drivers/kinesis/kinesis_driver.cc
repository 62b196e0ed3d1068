// The kinesis driver: one Kinesis stream per topic with ShardCount = partitions; harness stream s is
// shard (s % partitions) of stream (s / partitions), addressed with ExplicitHashKey. Options:
// kinesis_config.cc; clients: kinesis_producer.cc, kinesis_consumer.cc. This file holds the session
// (stream administration, facts) and the driver.
#include "drivers/kinesis/kinesis_driver.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/json_client.h"
#include "drivers/kinesis/kinesis_clients.h"
#include "drivers/kit/backoff.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

using kinesis::KinesisLayout;
using kinesis::KinesisSettings;
using kinesis::ShardInfo;
using kinesis::StreamInfo;

// Decimal strings of non-negative integers without leading zeros: shorter is smaller.
bool HashKeyLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class KinesisSession final : public Session {
 public:
  explicit KinesisSession(KinesisSettings settings)
      : settings_(std::move(settings)), admin_(settings_.service, settings_.credentials, settings_.http) {}

  ~KinesisSession() override = default;

  Status CreateTopics(const TopicLayout& requested) override {
    try {
      return CreateStreams(requested);
    } catch (const std::exception& e) {  // JSON of an unexpected shape; nothing may leave the driver
      return Internal(std::string("kinesis: CreateTopics: unexpected response: ") + e.what());
    }
  }

  Status CreateStreams(const TopicLayout& requested) {
    auto layout = std::make_shared<KinesisLayout>();
    layout->partitions = requested.partitions;
    for (const std::string& topic : requested.topics) {
      StreamInfo info;
      info.name = kinesis::StreamNameFor(topic);
      BAKEOFF_RETURN_IF_ERROR(CreateStream(info.name, requested.partitions));
      BAKEOFF_RETURN_IF_ERROR(WaitActive(info.name));
      BAKEOFF_RETURN_IF_ERROR(ListOpenShards(info));
      if (static_cast<int>(info.shards.size()) != requested.partitions) {
        return InvalidArgument("kinesis: stream " + info.name + " has " + std::to_string(info.shards.size()) +
                               " open shards, the workload needs " + std::to_string(requested.partitions));
      }
      layout->streams.push_back(std::move(info));
    }
    layout_ = std::move(layout);
    return Status::Ok();
  }

  Status DeleteTopics() override {
    Status status;
    for (const std::string& name : created_) {
      aws::AwsCallResult r = admin_.Call("DeleteStream", nlohmann::json{{"StreamName", name}}.dump());
      if (!r.ok() && r.error_type != "ResourceNotFoundException" && status.ok()) {
        status = Status(r.status.code(), "kinesis DeleteStream " + name + ": " + r.status.message());
      }
    }
    created_.clear();
    return status;
  }

  Result<std::unique_ptr<Producer>> NewProducer(int, CompletionSink& sink) override {
    return kinesis::NewKinesisProducer(settings_, layout_, sink);
  }

  // Fan-out: every subscription's readers read their shards from TRIM_HORIZON on their own (shared-throughput
  // GetRecords: all subscriptions share each shard's read limits, as Kinesis applications without
  // enhanced fan-out do).
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (!spec.valid()) return InvalidArgument("kinesis: consumer outside the run's subscriptions");
    return kinesis::NewKinesisConsumer(settings_, layout_, spec.index, spec.count);
  }

  std::map<std::string, std::string> Facts() override {
    const std::string& url = settings_.service.url;
    const bool aws = url.find(".amazonaws.com") != std::string::npos;
    return {
        {"api", std::string("Kinesis JSON 1.1 (") + kinesis::kTargetPrefix + ")"},
        {"endpoint", url},
        {"endpoint.kind", aws ? "aws" : "custom (e.g. kinesalite)"},
        {"region", settings_.service.region},
        {"signing", "SigV4 (bakeoff)"},
        {"credentials", settings_.placeholder_credentials
                            ? "placeholder (loopback endpoint)"
                            : "access key " + settings_.credentials.access_key_id},
        {"producer.batch_max_records", std::to_string(settings_.batch_max_records)},
        {"producer.batch_max_bytes", std::to_string(settings_.batch_max_bytes)},
        {"producer.linger_ms", std::to_string(settings_.linger.count())},
        {"producer.max_retries", std::to_string(settings_.max_retries)},
        {"consumer.records_limit", std::to_string(settings_.records_limit)},
        {"consumer.poll_interval_ms", std::to_string(settings_.poll_interval.count())},
        {"delivery_guarantee", aws ? "at-least-once, PutRecords acked (stored across 3 availability zones)"
                                   : "at-least-once, PutRecords acked by the endpoint (not AWS: an emulator "
                                     "such as kinesalite keeps records in memory)"},
    };
  }

 private:
  // Creates the stream; one that exists already is used if it fits (checked by the caller). A stream of
  // the same name still being deleted is waited out.
  Status CreateStream(const std::string& name, int shards) {
    const std::string request = nlohmann::json{{"StreamName", name}, {"ShardCount", shards}}.dump();
    const int64_t deadline = MonotonicNowNs() + settings_.stream_active_timeout.count();
    while (true) {
      aws::AwsCallResult r = admin_.Call("CreateStream", request);
      if (r.ok()) {
        created_.push_back(name);
        return Status::Ok();
      }
      if (r.error_type != "ResourceInUseException") {
        return Status(r.status.code(), "kinesis CreateStream " + name + ": " + r.status.message());
      }
      aws::AwsCallResult d =
          admin_.Call("DescribeStreamSummary", nlohmann::json{{"StreamName", name}}.dump());
      const bool deleting = d.error_type == "ResourceNotFoundException" ||
                            (d.ok() && d.body.find("\"DELETING\"") != std::string::npos);
      if (!deleting) return Status::Ok();
      if (MonotonicNowNs() >= deadline) return Timeout("kinesis: stream " + name + " stays in DELETING");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  Status WaitActive(const std::string& name) {
    const int64_t deadline = MonotonicNowNs() + settings_.stream_active_timeout.count();
    std::string last = "no answer";
    while (MonotonicNowNs() < deadline) {
      aws::AwsCallResult r =
          admin_.Call("DescribeStreamSummary", nlohmann::json{{"StreamName", name}}.dump());
      if (r.ok()) {
        const nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
        const nlohmann::json* summary = doc.is_object() && doc.contains("StreamDescriptionSummary")
                                            ? &doc["StreamDescriptionSummary"]
                                            : nullptr;
        last =
            summary != nullptr && summary->is_object() ? summary->value("StreamStatus", "?") : "unparseable";
        if (last == "ACTIVE") return Status::Ok();
      } else if (r.status.code() == StatusCode::kUnauthenticated ||
                 r.status.code() == StatusCode::kInvalidArgument) {
        return Status(r.status.code(), "kinesis DescribeStreamSummary " + name + ": " + r.status.message());
      } else {
        last = r.status.ToString();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Timeout("kinesis: stream " + name + " not ACTIVE within stream_active_timeout (last: " + last +
                   ")");
  }

  // The open shards of a stream (those without an EndingSequenceNumber), by starting hash key.
  Status ListOpenShards(StreamInfo& info) {
    std::string next_token;
    for (int page = 0; page < 1000; ++page) {
      nlohmann::json request = next_token.empty() ? nlohmann::json{{"StreamName", info.name}}
                                                  : nlohmann::json{{"NextToken", next_token}};
      aws::AwsCallResult r = admin_.Call("ListShards", request.dump());
      if (!r.ok())
        return Status(r.status.code(), "kinesis ListShards " + info.name + ": " + r.status.message());
      const nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
      if (!doc.is_object() || !doc.contains("Shards") || !doc["Shards"].is_array()) {
        return Internal("kinesis ListShards: unexpected response: " + r.body.substr(0, 200));
      }
      for (const nlohmann::json& shard : doc["Shards"]) {
        if (!shard.is_object() || !shard.contains("ShardId") || !shard.contains("HashKeyRange")) continue;
        const nlohmann::json& range = shard["SequenceNumberRange"];
        if (range.is_object() && range.contains("EndingSequenceNumber")) continue;  // closed by a reshard
        info.shards.push_back(
            {shard["ShardId"].get<std::string>(), shard["HashKeyRange"].value("StartingHashKey", "0")});
      }
      next_token = doc.value("NextToken", "");
      if (next_token.empty()) break;
    }
    std::sort(info.shards.begin(), info.shards.end(), [](const ShardInfo& a, const ShardInfo& b) {
      return HashKeyLess(a.starting_hash_key, b.starting_hash_key);
    });
    return Status::Ok();
  }

  const KinesisSettings settings_;
  aws::AwsJsonClient admin_;
  std::shared_ptr<const KinesisLayout> layout_;
  std::vector<std::string> created_;
};

class KinesisDriver final : public Driver {
 public:
  std::string name() const override { return "kinesis"; }
  std::string description() const override {
    return "Amazon Kinesis Data Streams (or kinesalite) via the Kinesis JSON API with SigV4: a stream per "
           "topic, a shard per partition, PutRecords batches, GetRecords polling.";
  }
  const OptionSchema& schema() const override { return kinesis::KinesisOptionSchema(); }
  const OptionBinding* option_binding() const override { return &kinesis::KinesisOptionBinder(); }
  Capabilities capabilities(const OptionValues&) const override {
    // Records of one shard are stored in the order the batches arrive; only a throttling retry can land a
    // record after later ones (the accounting shows it). Acks come after the service stored the record.
    return {.ordered_per_stream = true, .confirms_publish = true, .durable = true};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    if (context.system == nullptr) return InvalidArgument("kinesis: session without a system");
    return drivers_kit::ConnectOrStatus("kinesis: connect", [&]() -> Result<std::unique_ptr<Session>> {
      Result<KinesisSettings> settings =
          kinesis::BuildKinesisSettings(context.system->options, context.endpoints);
      if (!settings.ok()) return settings.status();
      return std::unique_ptr<Session>(new KinesisSession(std::move(settings).value()));
    });
  }
};

}  // namespace

Driver* GetKinesisDriver() {
  static KinesisDriver driver;
  return &driver;
}

}  // namespace bakeoff
