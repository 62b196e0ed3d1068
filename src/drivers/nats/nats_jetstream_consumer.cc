// The JetStream consumer: durable pull consumers with explicit acks. When this consumer owns every
// partition of a topic (e.g. one consumer), one pull consumer with the filter `topic.*` serves them all:
// it delivers in stream order, which keeps each subject's order, and the subject names the partition.
// Otherwise (nats-server 2.9 has no multi-subject filters) there is one pull consumer per owned partition
// (FilterSubject = that partition's subject), polled in turn.
//
// Pull requests are no_wait with an expiry: nats-server 2.9 answers at once with what the stream has
// (up to fetch_batch), or, when it has nothing, holds the request until the first message arrives or
// the expiry passes. With one owned stream the request is a long poll (the poll's wait); with several,
// each gets a short one (fetch_wait) in turn, so an idle stream cannot starve a busy one.
//
// cnats 3.4.1 overflows its batch array in _fetch when more than half a batch of messages from an
// earlier, timed-out pull is still pending in the client (fixed upstream in cnats 3.10, #749). Each
// fetch therefore asks for at least twice what may be pending (see Fetch()).
#include <algorithm>
#include <map>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "drivers/nats/nats_jetstream_clients.h"
#include "measure/clock.h"

namespace bakeoff::nats_internal {
namespace {

class JetStreamConsumer final : public Consumer {
 public:
  explicit JetStreamConsumer(const NatsJetStreamSettings& settings) {
    const std::string& mode = settings.ack_mode;
    ack_policy_ = mode == "all" ? js_AckAll : mode == "none" ? js_AckNone : js_AckExplicit;
    fetch_batch_ = settings.fetch_batch;
    fetch_wait_ns_ = settings.fetch_wait.count();
  }

  ~JetStreamConsumer() override { (void)Close(); }

  Status Open(const SessionContext& ctx, const NatsJetStreamSettings& settings, const JetStreamLayout& layout,
              const ConsumerSpec& spec) {
    // With one subscription the names are those of earlier versions.
    const std::string sub = spec.subscriptions == 1 ? "" : "_s" + std::to_string(spec.subscription);
    Result<Connection> c =
        Connect(settings, ctx.endpoints, "js-consumer-" + std::to_string(spec.index) + sub);
    if (!c.ok()) return c.status();
    connection_ = std::move(c).value();
    Result<JetStreamPtr> js = NewJetStreamContext(connection_.nc.get(), settings);
    if (!js.ok()) return js.status();
    js_ = std::move(js).value();
    for (const Group& group : GroupOwned(layout, spec.index, spec.count)) {
      const uint32_t first = group.streams.front();
      const std::string durable = SafeName("bakeoff_" + ctx.run_id + "_" + std::to_string(first) + sub);
      jsSubOptions so;
      jsSubOptions_Init(&so);
      so.Stream = layout.stream_names[first].c_str();
      so.Config.Durable = durable.c_str();
      so.Config.AckPolicy = ack_policy_;
      so.Config.DeliverPolicy = js_DeliverAll;
      so.Config.AckWait = settings.ack_wait.count();
      so.Config.MaxAckPending = settings.max_ack_pending;
      so.Config.MaxRequestBatch = 0;
      natsSubscription* sub = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      const natsStatus s =
          js_PullSubscribe(&sub, js_.get(), group.filter.c_str(), durable.c_str(), nullptr, &so, &code);
      if (s != NATS_OK) return JetStreamError(s, code, "nats-jetstream: pull consumer " + durable);
      Sub entry{SubscriptionPtr(sub), first, {}};
      if (group.streams.size() > 1) {
        for (uint32_t stream : group.streams)
          entry.stream_of_subject.emplace(layout.subjects[stream], stream);
      }
      subs_.push_back(std::move(entry));
    }
    batch_.reserve(static_cast<size_t>(fetch_batch_));
    return Status::Ok();
  }

  Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) override {
    if (subs_.empty()) {
      std::this_thread::sleep_for(max_wait);
      return Status::Ok();
    }
    Status error;
    if (subs_.size() == 1) {
      // cnats asks the server for 10 ms less than a >= 20 ms expiry, so the server ends the pull first.
      Fetch(subs_[0], std::max<int64_t>(20'000'000, max_wait.count() + 10'000'000), sink, error);
      return error;
    }
    const int64_t deadline = MonotonicNowNs() + max_wait.count();
    // Bounded: each pull waits at most fetch_wait; stop at the first delivery or error, or when the
    // poll's time is up (after at least one round over every subscription).
    for (int round = 0; round < 1000; ++round) {
      size_t delivered = 0;
      for (size_t i = 0; i < subs_.size() && error.ok(); ++i) {
        delivered += Fetch(subs_[next_], fetch_wait_ns_, sink, error);
        next_ = (next_ + 1) % subs_.size();
      }
      if (delivered > 0 || !error.ok() || MonotonicNowNs() >= deadline) break;
    }
    return error;
  }

  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    // The durables go with the stream (DeleteTopics); destroying the subscriptions only drops interest.
    subs_.clear();
    js_.reset();
    connection_.nc.reset();
    return Status::Ok();
  }

 private:
  struct Sub {
    SubscriptionPtr sub;
    uint32_t stream;  // the partition, when the filter is one subject
    // With a `topic.*` filter: the partition of each subject (empty otherwise).
    StreamOfSubject stream_of_subject;
  };

  // Owned streams that share one pull consumer: all partitions of a topic, or a single partition.
  struct Group {
    std::string filter;
    std::vector<uint32_t> streams;
  };

  static std::vector<Group> GroupOwned(const JetStreamLayout& layout, int index, int count) {
    // A topic's subjects are "<topic>.<partition>": the part before the last dot names the topic.
    auto topic_of = [&](uint32_t s) {
      const std::string& subject = layout.subjects[s];
      return subject.substr(0, subject.rfind('.'));
    };
    std::map<std::string, size_t> partitions_of_topic;
    for (uint32_t s = 0; s < layout.subjects.size(); ++s) ++partitions_of_topic[topic_of(s)];
    std::map<std::string, std::vector<uint32_t>> owned_of_topic;
    for (uint32_t stream : OwnedStreams(index, count, static_cast<int>(layout.subjects.size()))) {
      owned_of_topic[topic_of(stream)].push_back(stream);
    }
    std::vector<Group> groups;
    for (const auto& [topic, owned] : owned_of_topic) {
      if (owned.size() > 1 && owned.size() == partitions_of_topic[topic]) {
        groups.push_back({topic + ".*", owned});
      } else {
        for (uint32_t stream : owned) groups.push_back({layout.subjects[stream], {stream}});
      }
    }
    return groups;
  }

  // One no_wait pull request with expiry `expires_ns`; returns the number of messages delivered.
  size_t Fetch(Sub& sub, int64_t expires_ns, ReceiveSink& sink, Status& error) {
    jsFetchRequest req;
    jsFetchRequest_Init(&req);
    req.Batch = fetch_batch_;
    // The cnats 3.4.1 overflow guard: at most `pending` plus one batch (the one pull that may still be
    // answering) can be taken from the client's queue before the new request; ask for twice that.
    int pending_msgs = 0;
    int pending_bytes = 0;
    if (natsSubscription_GetPending(sub.sub.get(), &pending_msgs, &pending_bytes) == NATS_OK &&
        pending_msgs > 0) {
      req.Batch = 2 * (pending_msgs + fetch_batch_);
    }
    req.NoWait = true;
    req.Expires = expires_ns;
    natsMsgList list{};
    const natsStatus s = natsSubscription_FetchRequest(&list, sub.sub.get(), &req);
    if (s != NATS_OK) {
      // No messages (404) or an expired pull (408) are the normal idle answers.
      if (s != NATS_TIMEOUT && s != NATS_NOT_FOUND) error = NatsError(s, "nats-jetstream: fetch");
      return 0;
    }
    batch_.clear();
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* m = list.Msgs[i];
      uint32_t stream = sub.stream;
      if (!sub.stream_of_subject.empty()) {
        const auto it = sub.stream_of_subject.find(std::string_view(natsMsg_GetSubject(m)));
        if (it == sub.stream_of_subject.end()) continue;  // cannot happen: the filter is this topic's
        stream = it->second;
      }
      batch_.push_back(
          {stream, std::span<const std::byte>(reinterpret_cast<const std::byte*>(natsMsg_GetData(m)),
                                              static_cast<size_t>(natsMsg_GetDataLength(m)))});
    }
    sink.OnReceived(batch_);
    // Acks after the harness saw the batch: a crash in between redelivers (at least once).
    natsStatus ack = NATS_OK;
    if (ack_policy_ == js_AckExplicit) {
      for (int i = 0; i < list.Count && ack == NATS_OK; ++i) ack = natsMsg_Ack(list.Msgs[i], nullptr);
    } else if (ack_policy_ == js_AckAll && list.Count > 0) {
      ack = natsMsg_Ack(list.Msgs[list.Count - 1], nullptr);
    }
    if (ack != NATS_OK) error = NatsError(ack, "nats-jetstream: ack");
    const size_t n = static_cast<size_t>(list.Count);
    natsMsgList_Destroy(&list);
    return n;
  }

  Connection connection_;
  JetStreamPtr js_;
  std::vector<Sub> subs_;
  std::vector<InMessage> batch_;
  jsAckPolicy ack_policy_ = js_AckExplicit;
  int fetch_batch_ = 256;
  int64_t fetch_wait_ns_ = 1'000'000;
  size_t next_ = 0;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Consumer>> NewJetStreamConsumer(const SessionContext& ctx,
                                                       const NatsJetStreamSettings& settings,
                                                       const JetStreamLayout& layout,
                                                       const ConsumerSpec& spec) {
  auto consumer = std::make_unique<JetStreamConsumer>(settings);
  BAKEOFF_RETURN_IF_ERROR(consumer->Open(ctx, settings, layout, spec));
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace bakeoff::nats_internal
