// The JetStream producer: js_PublishAsync with a window of max_pending un-acked publishes. cnats runs
// the ack handler on its own delivery thread; the handler only queues tickets, and Poll()/Flush()
// hand them to the sink on the producer's thread (the driver contract).
#include <condition_variable>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "drivers/nats/nats_jetstream_clients.h"
#include "measure/message_header.h"

namespace bakeoff::nats_internal {
namespace {

// What the ack handler shares with the producer. It is deliberately never freed: cnats gives no way
// to wait for a delivery thread's last callback after the connection is destroyed, so the producer
// only marks it dead (and frees its buffers) instead.
struct AckQueue {
  std::mutex mu;
  std::condition_variable cv;
  bool dead = false;
  bool waiting = false;
  bool callback_failed = false;
  StreamOfSubject stream_of_subject;  // read-only after construction
  std::vector<SendTicket> acked;
  std::vector<std::pair<SendTicket, Status>> failed;
};

// Rebuilds the ticket from the payload's header and the subject.
bool TicketOf(AckQueue& q, natsMsg* msg, SendTicket& ticket) {
  const auto it = q.stream_of_subject.find(std::string_view(natsMsg_GetSubject(msg)));
  if (it == q.stream_of_subject.end()) return false;
  const std::optional<MessageHeader> h =
      DecodeHeader(std::span<const std::byte>(reinterpret_cast<const std::byte*>(natsMsg_GetData(msg)),
                                              static_cast<size_t>(natsMsg_GetDataLength(msg))));
  if (!h) return false;
  ticket = {it->second, h->producer_id, h->seq, h->intended_ns, h->sent_ns};
  return true;
}

// C callback on a cnats thread: must not throw; it owns and destroys `msg`.
void OnPublishAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  auto& q = *static_cast<AckQueue*>(closure);
  try {
    std::lock_guard<std::mutex> lock(q.mu);
    SendTicket ticket;
    if (!q.dead && TicketOf(q, msg, ticket)) {
      if (pa != nullptr) {
        q.acked.push_back(ticket);
      } else {
        std::string why = "nats-jetstream: publish";
        if (pae != nullptr) {
          why += std::string(": ") + natsStatus_GetText(pae->Err);
          if (pae->ErrCode != 0) why += " (JetStream error " + std::to_string(pae->ErrCode) + ")";
          if (pae->ErrText != nullptr) why += std::string(": ") + pae->ErrText;
        }
        q.failed.emplace_back(ticket,
                              pae != nullptr && pae->Err == NATS_TIMEOUT ? Timeout(why) : Unavailable(why));
      }
      if (q.waiting) q.cv.notify_one();
    }
  } catch (...) {
    q.callback_failed = true;
  }
  natsMsg_Destroy(msg);
}

class JetStreamProducer final : public Producer {
 public:
  JetStreamProducer(CompletionSink& sink, const JetStreamLayout& layout)
      : sink_(sink), subjects_(layout.subjects) {
    queue_ = new AckQueue();
    for (size_t s = 0; s < subjects_.size(); ++s)
      queue_->stream_of_subject[subjects_[s]] = static_cast<uint32_t>(s);
  }

  ~JetStreamProducer() override {
    {
      std::lock_guard<std::mutex> lock(queue_->mu);
      queue_->dead = true;
      queue_->acked = {};
      queue_->failed = {};
    }
    // The context owns the messages still pending; destroy it while the connection is still open.
    js_.reset();
    connection_.nc.reset();
    // queue_ is intentionally leaked (see AckQueue); its map is small.
  }

  Status Open(const SessionContext& ctx, const NatsJetStreamSettings& settings, int index) {
    Result<Connection> c = Connect(settings, ctx.endpoints, "js-producer-" + std::to_string(index));
    if (!c.ok()) return c.status();
    connection_ = std::move(c).value();
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = settings.max_pending;
    jo.PublishAsync.AckHandler = &OnPublishAck;
    jo.PublishAsync.AckHandlerClosure = queue_;
    jo.PublishAsync.StallWait = ToMillis(settings.stall_wait);
    Result<JetStreamPtr> js = NewJetStreamContext(connection_.nc.get(), settings, &jo);
    if (!js.ok()) return js.status();
    js_ = std::move(js).value();
    jsPubOptions_Init(&pub_options_);
    pub_options_.MaxWait = ToMillis(settings.publish_ack_timeout, 0);
    return Status::Ok();
  }

  Status Send(const OutMessage& m) override {
    if (m.stream >= subjects_.size())
      return InvalidArgument("nats-jetstream: stream outside the topic layout");
    const natsStatus s = js_PublishAsync(js_.get(), subjects_[m.stream].c_str(), m.payload.data(),
                                         static_cast<int>(m.payload.size()),
                                         pub_options_.MaxWait > 0 ? &pub_options_ : nullptr);
    if (s == NATS_OK) return Status::Ok();
    if (s == NATS_TIMEOUT) {
      return QueueFull("nats-jetstream: publish window (max_pending) full");
    }
    return NatsError(s, "nats-jetstream: publish");
  }

  void Poll(std::chrono::nanoseconds max_wait) override { Report(max_wait); }

  Status Flush(std::chrono::nanoseconds timeout) override {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = ToMillis(timeout);
    const natsStatus s = js_PublishAsyncComplete(js_.get(), &po);
    Report(std::chrono::nanoseconds(0));
    if (s == NATS_OK) return Status::Ok();
    Status why = NatsError(s, "nats-jetstream: waiting for publish acks");
    // Whatever is still un-acked failed: take the messages back from the client and report them.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_.get()) == NATS_OK) {
      for (int i = 0; i < pending.Count; ++i) {
        SendTicket ticket;
        if (TicketOf(*queue_, pending.Msgs[i], ticket)) sink_.OnFailed(ticket, why);
      }
      natsMsgList_Destroy(&pending);
    }
    return why;
  }

 private:
  void Report(std::chrono::nanoseconds max_wait) {
    {
      std::unique_lock<std::mutex> lock(queue_->mu);
      if (queue_->acked.empty() && queue_->failed.empty() && max_wait.count() > 0) {
        queue_->waiting = true;
        queue_->cv.wait_for(lock, max_wait,
                            [&] { return !queue_->acked.empty() || !queue_->failed.empty(); });
        queue_->waiting = false;
      }
      acked_.swap(queue_->acked);
      failed_.swap(queue_->failed);
    }
    if (!acked_.empty()) sink_.OnAcked(acked_);
    for (const auto& [ticket, why] : failed_) sink_.OnFailed(ticket, why);
    acked_.clear();
    failed_.clear();
  }

  CompletionSink& sink_;
  std::vector<std::string> subjects_;
  AckQueue* queue_ = nullptr;
  Connection connection_;
  JetStreamPtr js_;
  jsPubOptions pub_options_{};
  std::vector<SendTicket> acked_;
  std::vector<std::pair<SendTicket, Status>> failed_;
};

}  // namespace

Result<std::unique_ptr<Producer>> NewJetStreamProducer(const SessionContext& ctx,
                                                       const NatsJetStreamSettings& settings,
                                                       const JetStreamLayout& layout, int index,
                                                       CompletionSink& sink) {
  auto producer = std::make_unique<JetStreamProducer>(sink, layout);
  BAKEOFF_RETURN_IF_ERROR(producer->Open(ctx, settings, index));
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace bakeoff::nats_internal
