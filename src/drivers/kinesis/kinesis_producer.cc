// The kinesis producer: Send() appends records to a PutRecords batch per stream (topic); a batch is sealed
// when full (records or bytes) or when it lingered long enough, and handed to one sender thread, which
// performs the HTTP requests one at a time (so batches of a stream reach the server in order), retries
// throttled records with backoff, and queues the outcomes. Poll()/Flush() hand those outcomes to the
// CompletionSink on the producer's thread, as the driver contract requires.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "aws/encoding.h"
#include "aws/json_client.h"
#include "drivers/kinesis/kinesis_clients.h"
#include "drivers/kit/backoff.h"
#include "measure/clock.h"

namespace bakeoff::kinesis {
namespace {

// A PartitionKey is a Unicode string of 1-256 characters; printable ASCII keys are used as they are,
// anything else as hex (the shard is chosen by ExplicitHashKey, so the key only has to be valid).
void AppendPartitionKey(std::span<const std::byte> key, const std::string& fallback, std::string& out) {
  if (key.empty()) {
    out += fallback;
    return;
  }
  bool printable = true;
  for (std::byte b : key) {
    const auto c = static_cast<unsigned char>(b);
    printable = printable && c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  if (printable) {
    out.append(reinterpret_cast<const char*>(key.data()), std::min<size_t>(key.size(), 256));
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    out += aws::HexEncode({p, std::min<size_t>(key.size(), 128)});
  }
}

class KinesisProducer final : public Producer {
 public:
  KinesisProducer(const KinesisSettings& settings, std::shared_ptr<const KinesisLayout> layout,
                  CompletionSink& sink)
      : settings_(settings),
        layout_(std::move(layout)),
        sink_(sink),
        client_(settings.service, settings.credentials, settings.http),
        open_(layout_->streams.size()) {
    sender_ = std::thread([this] { SenderLoop(); });
  }

  ~KinesisProducer() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    sender_.join();  // bounded by one request timeout
  }

  Status Send(const OutMessage& m) override {
    const uint32_t partitions = static_cast<uint32_t>(layout_->partitions);
    const size_t topic = m.stream / partitions;
    if (topic >= layout_->streams.size())
      return InvalidArgument("kinesis: no such stream " + std::to_string(m.stream));
    const StreamInfo& info = layout_->streams[topic];
    const ShardInfo& shard = info.shards[(m.stream % partitions) % info.shards.size()];
    const int64_t bytes = static_cast<int64_t>(m.payload.size() + std::max<size_t>(m.key.size(), 1));
    Batch& batch = open_[topic];
    if (!batch.records.empty() && (static_cast<int>(batch.records.size()) >= settings_.batch_max_records ||
                                   batch.bytes + bytes > settings_.batch_max_bytes)) {
      if (!TrySeal(topic)) return QueueFull("kinesis: send queue full");
    }
    Record record{.ticket = m.ticket};
    record.json.reserve(m.payload.size() * 4 / 3 + 96);
    record.json += "{\"Data\":\"";
    aws::AppendBase64({reinterpret_cast<const char*>(m.payload.data()), m.payload.size()}, record.json);
    record.json += "\",\"PartitionKey\":\"";
    AppendPartitionKey(m.key, settings_.default_partition_key, record.json);
    record.json += "\",\"ExplicitHashKey\":\"";
    record.json += shard.starting_hash_key;
    record.json += "\"}";
    if (batch.records.empty()) batch.opened_ns = MonotonicNowNs();
    batch.records.push_back(std::move(record));
    batch.bytes += bytes;
    ++in_flight_;
    if (static_cast<int>(batch.records.size()) >= settings_.batch_max_records ||
        settings_.linger.count() == 0) {
      (void)TrySeal(topic);  // a full queue leaves it open; the next Send or Poll seals it
    }
    return Status::Ok();
  }

  void Poll(std::chrono::nanoseconds max_wait) override {
    SealDue(false);
    if (Deliver()) return;
    std::chrono::nanoseconds wait = max_wait;
    const int64_t now = MonotonicNowNs();
    for (const Batch& b : open_) {
      if (b.records.empty()) continue;
      const int64_t due = b.opened_ns + std::chrono::nanoseconds(settings_.linger).count();
      wait = std::min(wait, std::chrono::nanoseconds(std::max<int64_t>(0, due - now)));
    }
    if (wait.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait_for(lock, wait, [&] { return !acked_.empty() || !failed_.empty(); });
    }
    SealDue(false);
    Deliver();
  }

  Status Flush(std::chrono::nanoseconds timeout) override {
    const int64_t deadline = MonotonicNowNs() + timeout.count();
    while (true) {
      SealDue(true);
      Deliver();
      if (in_flight_ == 0) return Status::Ok();
      const int64_t now = MonotonicNowNs();
      if (now >= deadline) {
        const uint64_t unconfirmed = in_flight_;
        FailUnsent();
        return Timeout("kinesis: " + std::to_string(unconfirmed) +
                       " records unconfirmed at the flush deadline (" +
                       std::to_string(unconfirmed - in_flight_) + " never sent)");
      }
      std::unique_lock<std::mutex> lock(mu_);
      done_cv_.wait_for(lock, std::chrono::nanoseconds(std::min<int64_t>(deadline - now, 10'000'000)),
                        [&] { return !acked_.empty() || !failed_.empty(); });
    }
  }

 private:
  struct Record {
    SendTicket ticket;
    std::string json;  // one element of the request's "Records" array
  };
  struct Batch {
    size_t topic = 0;
    std::vector<Record> records;
    int64_t bytes = 0;
    int64_t opened_ns = 0;
  };

  // Moves the open batch of `topic` to the sender's queue; false if the queue is full.
  bool TrySeal(size_t topic) {
    Batch& batch = open_[topic];
    if (batch.records.empty()) return true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (static_cast<int>(queue_.size()) >= settings_.max_queued_batches) return false;
      batch.topic = topic;
      queue_.push_back(std::move(batch));
    }
    batch = Batch();
    queue_cv_.notify_one();
    return true;
  }

  void SealDue(bool force) {
    const int64_t now = MonotonicNowNs();
    for (size_t t = 0; t < open_.size(); ++t) {
      const Batch& b = open_[t];
      if (b.records.empty()) continue;
      if (force || now - b.opened_ns >= std::chrono::nanoseconds(settings_.linger).count()) (void)TrySeal(t);
    }
  }

  // Records that never left the client (open or queued batches) fail: they certainly were not stored.
  // The batch the sender is working on keeps its unknown outcome.
  void FailUnsent() {
    std::deque<Batch> unsent;
    {
      std::lock_guard<std::mutex> lock(mu_);
      unsent.swap(queue_);
    }
    for (Batch& b : open_) unsent.push_back(std::move(b));
    open_.assign(open_.size(), Batch());
    const Status why = Timeout("kinesis: not sent before the flush deadline");
    for (const Batch& b : unsent) {
      for (const Record& rec : b.records) {
        sink_.OnFailed(rec.ticket, why);
        --in_flight_;
      }
    }
  }

  // Hands completed records to the sink; true if there were any.
  bool Deliver() {
    std::vector<SendTicket> acked;
    std::vector<std::pair<SendTicket, Status>> failed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (acked_.empty() && failed_.empty()) return false;
      acked.swap(acked_);
      failed.swap(failed_);
    }
    in_flight_ -= acked.size() + failed.size();
    if (!acked.empty()) sink_.OnAcked(acked);
    for (const auto& [ticket, why] : failed) sink_.OnFailed(ticket, why);
    return true;
  }

  void SenderLoop() {
    while (true) {
      Batch batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      SendBatch(batch);
    }
  }

  void SendBatch(Batch& batch) {
    const std::string& stream_name = layout_->streams[batch.topic].name;
    std::vector<Record> records = std::move(batch.records);
    // Exact doubling up to 20x the first pause; the attempts are bounded by max_retries below.
    drivers_kit::Backoff backoff({.initial = settings_.retry_backoff,
                                  .multiplier = 2,
                                  .max_delay = settings_.retry_backoff * 20,
                                  .jitter = 0,
                                  .max_attempts = 0,
                                  .max_total = std::chrono::nanoseconds::max() / 2});
    std::string body;
    for (int attempt = 0; !records.empty(); ++attempt) {
      body.clear();
      body += "{\"StreamName\":\"" + stream_name + "\",\"Records\":[";
      for (size_t i = 0; i < records.size(); ++i) {
        if (i > 0) body.push_back(',');
        body += records[i].json;
      }
      body += "]}";
      const bool may_retry = attempt < settings_.max_retries;
      std::vector<Record> retry;
      std::vector<SendTicket> acked;
      std::vector<std::pair<SendTicket, Status>> failed;
      aws::AwsCallResult r = client_.Call("PutRecords", body);
      if (!r.ok()) {
        if (may_retry && IsRetriable(r.status.code())) {
          retry = std::move(records);
        } else {
          const Status why(r.status.code(), "kinesis PutRecords: " + r.status.message());
          for (const Record& rec : records) failed.emplace_back(rec.ticket, why);
        }
      } else {
        try {
          SortOutcome(r.body, records, may_retry, acked, failed, retry);
        } catch (const std::exception& e) {  // a malformed response must not end the sender thread
          const Status why = Internal(std::string("kinesis PutRecords: unexpected response: ") + e.what());
          acked.clear();
          failed.clear();
          retry.clear();
          for (const Record& rec : records) failed.emplace_back(rec.ticket, why);
        }
      }
      Complete(acked, failed);
      records = std::move(retry);
      if (records.empty()) break;
      std::unique_lock<std::mutex> lock(mu_);
      const std::chrono::nanoseconds pause = backoff.NextDelay().value_or(settings_.retry_backoff * 20);
      if (queue_cv_.wait_for(lock, pause, [&] { return stopping_; })) return;  // abandoned at shutdown
    }
  }

  // Splits the records of a PutRecords response into acked, failed and (throttled) to retry.
  static void SortOutcome(const std::string& response, std::vector<Record>& records, bool may_retry,
                          std::vector<SendTicket>& acked, std::vector<std::pair<SendTicket, Status>>& failed,
                          std::vector<Record>& retry) {
    // Fast path: nothing failed (the common case) needs no per-record parsing.
    if (response.find("\"FailedRecordCount\":0") != std::string::npos) {
      for (const Record& rec : records) acked.push_back(rec.ticket);
      return;
    }
    const nlohmann::json doc = nlohmann::json::parse(response, nullptr, /*allow_exceptions=*/false);
    const nlohmann::json* results = nullptr;
    if (doc.is_object()) {
      if (auto it = doc.find("Records"); it != doc.end() && it->is_array()) results = &*it;
    }
    if (results == nullptr || results->size() != records.size()) {
      const Status why = Internal("kinesis PutRecords: unexpected response: " + response.substr(0, 200));
      for (const Record& rec : records) failed.emplace_back(rec.ticket, why);
      return;
    }
    for (size_t i = 0; i < records.size(); ++i) {
      const nlohmann::json& result = (*results)[i];
      const auto code = result.find("ErrorCode");
      if (code == result.end() || !code->is_string()) {
        acked.push_back(records[i].ticket);
        continue;
      }
      const std::string error = code->get<std::string>();
      const bool transient = error == "ProvisionedThroughputExceededException" || error == "InternalFailure";
      if (transient && may_retry) {
        retry.push_back(std::move(records[i]));
        continue;
      }
      const std::string message = result.value("ErrorMessage", "");
      failed.emplace_back(records[i].ticket,
                          Status(transient ? StatusCode::kUnavailable : StatusCode::kInternal,
                                 "kinesis PutRecords: " + error + (message.empty() ? "" : ": " + message)));
    }
  }

  void Complete(std::vector<SendTicket>& acked, std::vector<std::pair<SendTicket, Status>>& failed) {
    if (acked.empty() && failed.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      acked_.insert(acked_.end(), acked.begin(), acked.end());
      for (auto& f : failed) failed_.push_back(std::move(f));
    }
    done_cv_.notify_all();
  }

  const KinesisSettings settings_;
  const std::shared_ptr<const KinesisLayout> layout_;
  CompletionSink& sink_;
  aws::AwsJsonClient client_;  // the sender thread's
  std::vector<Batch> open_;    // per topic; producer thread only
  uint64_t in_flight_ = 0;     // records accepted by Send and not yet delivered; producer thread only

  std::mutex mu_;
  std::condition_variable queue_cv_;  // sender waits for batches (and backoffs for shutdown)
  std::condition_variable done_cv_;   // producer waits for outcomes
  std::deque<Batch> queue_;
  bool stopping_ = false;
  std::vector<SendTicket> acked_;
  std::vector<std::pair<SendTicket, Status>> failed_;
  std::thread sender_;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewKinesisProducer(const KinesisSettings& settings,
                                                     std::shared_ptr<const KinesisLayout> layout,
                                                     CompletionSink& sink) {
  if (layout == nullptr || layout->streams.empty()) return Internal("kinesis: CreateTopics must come first");
  for (const StreamInfo& s : layout->streams) {
    if (s.shards.empty()) return Internal("kinesis: stream " + s.name + " has no open shards");
  }
  try {
    return std::unique_ptr<Producer>(new KinesisProducer(settings, std::move(layout), sink));
  } catch (const std::exception& e) {  // std::thread creation; nothing may cross the driver boundary
    return Internal(std::string("kinesis: producer: ") + e.what());
  }
}

}  // namespace bakeoff::kinesis
