// The kinesis consumer: consumer i of n reads harness streams i, i+n, ... Each is one shard, read with
// GetShardIterator (TRIM_HORIZON, then AFTER_SEQUENCE_NUMBER when an iterator expires) and GetRecords
// following NextShardIterator. A shard that returned nothing rests for poll_interval; a throttled or
// failing one backs off exponentially. Every call is bounded by the HTTP timeouts.
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "aws/encoding.h"
#include "aws/json_client.h"
#include "drivers/kinesis/kinesis_clients.h"
#include "measure/clock.h"

namespace bakeoff::kinesis {
namespace {

constexpr int64_t kMaxBackoffNs = 1'000'000'000;

class KinesisConsumer final : public Consumer {
 public:
  KinesisConsumer(const KinesisSettings& settings, std::shared_ptr<const KinesisLayout> layout, int index,
                  int count)
      : settings_(settings),
        layout_(std::move(layout)),
        client_(settings.service, settings.credentials, settings.http) {
    const int streams = static_cast<int>(layout_->streams.size()) * layout_->partitions;
    for (int s = index; s < streams; s += count) {
      const StreamInfo& info = layout_->streams[s / layout_->partitions];
      Cursor c;
      c.stream = static_cast<uint32_t>(s);
      c.stream_name = info.name;
      c.shard_id = info.shards[(s % layout_->partitions) % info.shards.size()].id;
      cursors_.push_back(std::move(c));
    }
    without_iterator_ = static_cast<int>(cursors_.size());
  }

  bool Ready() override { return without_iterator_ == 0; }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    const int64_t deadline = MonotonicNowNs() + max_wait.count();
    if (cursors_.empty()) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    while (true) {
      // One pass over the shards that are due; returns after it if anything arrived or failed.
      Status first_error;
      bool delivered = false;
      int64_t next_due = INT64_MAX;
      for (size_t i = 0; i < cursors_.size(); ++i) {
        Cursor& c = cursors_[(next_ + i) % cursors_.size()];
        if (c.closed) continue;
        if (c.next_poll_ns > MonotonicNowNs()) {
          next_due = std::min(next_due, c.next_poll_ns);
          continue;
        }
        Status st;
        try {
          st = PollShard(c, sink, delivered);
        } catch (const std::exception& e) {  // JSON of an unexpected shape
          Backoff(c);
          st = Internal(std::string("kinesis GetRecords: unexpected response: ") + e.what());
        }
        if (!st.ok() && first_error.ok()) first_error = std::move(st);
        next_due = std::min(next_due, c.next_poll_ns);
      }
      next_ = (next_ + 1) % cursors_.size();
      if (delivered || !first_error.ok()) return first_error;
      const int64_t now = MonotonicNowNs();
      if (now >= deadline) return Status::Ok();
      const int64_t wake = std::min(deadline, next_due);
      if (wake > now) std::this_thread::sleep_for(std::chrono::nanoseconds(wake - now));
    }
  }

  Status Close() override { return Status::Ok(); }

 private:
  struct Cursor {
    uint32_t stream = 0;
    std::string stream_name;
    std::string shard_id;
    std::string iterator;       // empty = get one
    std::string last_sequence;  // of the last record delivered
    bool had_iterator = false;
    bool closed = false;  // the shard ended (no NextShardIterator)
    int64_t next_poll_ns = 0;
    int64_t backoff_ns = 0;
  };

  void Backoff(Cursor& c) {
    c.backoff_ns =
        c.backoff_ns == 0
            ? std::max<int64_t>(std::chrono::nanoseconds(settings_.poll_interval).count(), 10'000'000)
            : std::min(c.backoff_ns * 2, kMaxBackoffNs);
    c.next_poll_ns = MonotonicNowNs() + c.backoff_ns;
  }

  Status Failed(Cursor& c, const char* operation, const aws::AwsCallResult& r) {
    Backoff(c);
    return Status(r.status.code(), std::string("kinesis ") + operation + " " + c.stream_name + "/" +
                                       c.shard_id + ": " + r.status.message());
  }

  Status GetIterator(Cursor& c) {
    nlohmann::json request = {{"StreamName", c.stream_name}, {"ShardId", c.shard_id}};
    if (c.last_sequence.empty()) {
      request["ShardIteratorType"] = "TRIM_HORIZON";
    } else {
      request["ShardIteratorType"] = "AFTER_SEQUENCE_NUMBER";
      request["StartingSequenceNumber"] = c.last_sequence;
    }
    aws::AwsCallResult r = client_.Call("GetShardIterator", request.dump());
    if (!r.ok()) return Failed(c, "GetShardIterator", r);
    const nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("ShardIterator") || !doc["ShardIterator"].is_string()) {
      Backoff(c);
      return Internal("kinesis GetShardIterator: unexpected response: " + r.body.substr(0, 200));
    }
    c.iterator = doc["ShardIterator"].get<std::string>();
    if (!c.had_iterator) {
      c.had_iterator = true;
      --without_iterator_;
    }
    return Status::Ok();
  }

  Status PollShard(Cursor& c, ReceiveSink& sink, bool& delivered) {
    if (c.iterator.empty()) BAKEOFF_RETURN_IF_ERROR(GetIterator(c));
    const std::string request = "{\"ShardIterator\":\"" + c.iterator +
                                "\",\"Limit\":" + std::to_string(settings_.records_limit) + "}";
    aws::AwsCallResult r = client_.Call("GetRecords", request);
    if (!r.ok()) {
      if (r.error_type == "ExpiredIteratorException") {
        c.iterator.clear();  // resume after the last delivered record
        return Status::Ok();
      }
      return Failed(c, "GetRecords", r);
    }
    const nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("Records") || !doc["Records"].is_array()) {
      Backoff(c);
      return Internal("kinesis GetRecords: unexpected response: " + r.body.substr(0, 200));
    }
    c.backoff_ns = 0;
    const nlohmann::json& records = doc["Records"];
    payloads_.clear();
    payloads_.reserve(records.size());
    Status bad;
    for (const nlohmann::json& rec : records) {
      const auto data = rec.find("Data");
      std::optional<std::string> payload;
      if (data != rec.end() && data->is_string())
        payload = aws::Base64Decode(data->get_ref<const std::string&>());
      if (!payload) {
        bad = Internal("kinesis GetRecords: a record without valid base64 Data");
        continue;
      }
      payloads_.push_back(std::move(*payload));
      if (auto seq = rec.find("SequenceNumber"); seq != rec.end() && seq->is_string()) c.last_sequence = *seq;
    }
    if (!payloads_.empty()) {
      batch_.clear();
      for (const std::string& p : payloads_) {
        batch_.push_back({c.stream, {reinterpret_cast<const std::byte*>(p.data()), p.size()}});
      }
      sink.OnReceived(batch_);
      delivered = true;
    }
    const auto next = doc.find("NextShardIterator");
    if (next == doc.end() || !next->is_string()) {
      c.closed = true;
      c.iterator.clear();
    } else {
      c.iterator = next->get<std::string>();
    }
    // A full page means more may be waiting; otherwise rest before asking this shard again.
    if (records.empty())
      c.next_poll_ns = MonotonicNowNs() + std::chrono::nanoseconds(settings_.poll_interval).count();
    return bad;
  }

  const KinesisSettings settings_;
  const std::shared_ptr<const KinesisLayout> layout_;
  aws::AwsJsonClient client_;
  std::vector<Cursor> cursors_;
  int without_iterator_ = 0;
  size_t next_ = 0;
  std::vector<std::string> payloads_;
  std::vector<InMessage> batch_;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewKinesisConsumer(const KinesisSettings& settings,
                                                     std::shared_ptr<const KinesisLayout> layout,
                                                     int consumer_index, int consumer_count) {
  if (layout == nullptr || layout->streams.empty()) return Internal("kinesis: CreateTopics must come first");
  if (consumer_count < 1 || consumer_index < 0 || consumer_index >= consumer_count) {
    return InvalidArgument("kinesis: consumer index out of range");
  }
  for (const StreamInfo& s : layout->streams) {
    if (s.shards.empty()) return Internal("kinesis: stream " + s.name + " has no open shards");
  }
  return std::unique_ptr<Consumer>(
      new KinesisConsumer(settings, std::move(layout), consumer_index, consumer_count));
}

}  // namespace bakeoff::kinesis
