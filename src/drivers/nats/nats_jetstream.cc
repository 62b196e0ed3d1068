// The "nats-jetstream" driver: JetStream streams (file or memory storage, replicas), asynchronous
// publishes confirmed by the stream's acks, durable pull consumers with explicit acks.
//
// Stream s of the harness is subject "<topic>.<partition>", stored in one JetStream stream per topic
// (or one for the whole run). CreateTopics creates the streams, DeleteTopics deletes them (and with
// them the run's durable consumers). Fan-out: every subscription has durables of its own (a durable's name
// ends in "_s<k>"), so each receives every message of the stream (limits retention keeps it for all).
#include <algorithm>
#include <chrono>
#include <thread>

#include "drivers/kit/backoff.h"
#include "drivers/nats/nats_driver.h"
#include "drivers/nats/nats_jetstream_clients.h"
#include "drivers/nats/nats_options.h"

namespace bakeoff {
namespace nats_internal {

Result<JetStreamPtr> NewJetStreamContext(natsConnection* nc, const NatsJetStreamSettings& settings,
                                         jsOptions* base) {
  jsOptions local;
  if (base == nullptr) {
    jsOptions_Init(&local);
    base = &local;
  }
  base->Wait = ToMillis(settings.api_timeout);
  jsCtx* js = nullptr;
  const natsStatus s = natsConnection_JetStream(&js, nc, base);
  if (s != NATS_OK) return NatsError(s, "nats-jetstream: JetStream context");
  return JetStreamPtr(js);
}

Status JetStreamError(natsStatus s, jsErrCode code, const std::string& what) {
  Status st = NatsError(s, what);
  if (code == 0) return st;
  return Status(st.code(),
                st.message() + " [JetStream error " + std::to_string(static_cast<int>(code)) + "]");
}

bool IsPlacementPending(jsErrCode code) {
  return code == JSClusterNoPeersErr || code == JSClusterNotAvailErr;
}

Status RetryWhilePlacementPending(const std::function<Status(jsErrCode* code)>& attempt,
                                  std::chrono::milliseconds limit, std::chrono::milliseconds interval) {
  // A steady poll: the peers report in on their own schedule, backing off further would only add delay.
  drivers_kit::Backoff backoff({.initial = interval,
                                .multiplier = 1,
                                .max_delay = interval,
                                .jitter = 0,
                                .max_attempts = 0,
                                .max_total = limit});
  for (;;) {
    jsErrCode code = static_cast<jsErrCode>(0);
    Status st = attempt(&code);
    if (st.ok() || !IsPlacementPending(code)) return st;
    const std::optional<std::chrono::nanoseconds> pause = backoff.NextDelay();
    if (!pause) {
      return Status(st.code(), st.message() + " (still after " + std::to_string(backoff.failed_attempts()) +
                                   " attempts over " + std::to_string(limit.count() / 1000.0).substr(0, 4) +
                                   " s: the cluster's peers did not all report in)");
    }
    std::this_thread::sleep_for(*pause);
  }
}

}  // namespace nats_internal

namespace {

using namespace nats_internal;

// How long stream creation waits for a fresh cluster's peers (see IsPlacementPending).
constexpr std::chrono::milliseconds kPlacementWait{20000};

class JetStreamSession final : public Session {
 public:
  JetStreamSession(const SessionContext& ctx, NatsJetStreamSettings settings, Connection control,
                   JetStreamPtr js)
      : ctx_(ctx), settings_(std::move(settings)), control_(std::move(control)), js_(std::move(js)) {}

  ~JetStreamSession() override {
    js_.reset();
    control_.nc.reset();
  }

  Status CreateTopics(const TopicLayout& layout) override {
    layout_ = {};
    // stream name -> its subjects
    std::vector<std::pair<std::string, std::vector<std::string>>> streams;
    const bool one_stream = settings_.stream_per == "run";
    for (const std::string& topic : layout.topics) {
      const std::string name = one_stream ? SafeName("bakeoff_" + ctx_.run_id) : SafeName(topic);
      if (streams.empty() || streams.back().first != name) streams.push_back({name, {}});
      for (int p = 0; p < layout.partitions; ++p) {
        layout_.subjects.push_back(SubjectFor(topic, p));
        layout_.stream_names.push_back(name);
        streams.back().second.push_back(layout_.subjects.back());
      }
    }
    int64_t replicas = settings_.replicas;
    if (replicas == 0) replicas = std::max(1, layout.replication_factor);
    for (auto& stream : streams) {
      const std::string& name = stream.first;  // clang 14 cannot capture a structured binding
      std::vector<std::string>& subjects = stream.second;
      std::vector<const char*> subject_ptrs;
      subject_ptrs.reserve(subjects.size());
      for (const std::string& s : subjects) subject_ptrs.push_back(s.c_str());
      jsStreamConfig cfg;
      jsStreamConfig_Init(&cfg);
      cfg.Name = name.c_str();
      cfg.Subjects = subject_ptrs.data();
      cfg.SubjectsLen = static_cast<int>(subject_ptrs.size());
      cfg.Storage = settings_.storage == "memory" ? js_MemoryStorage : js_FileStorage;
      cfg.Replicas = replicas;
      cfg.Retention = js_LimitsPolicy;
      cfg.Discard = js_DiscardOld;
      jsStreamInfo* si = nullptr;
      // Recorded first: a stream whose creation timed out may still exist and must be deleted.
      created_.push_back(name);
      Status created = RetryWhilePlacementPending(
          [&](jsErrCode* code) {
            const natsStatus s = js_AddStream(&si, js_.get(), &cfg, nullptr, code);
            return s == NATS_OK ? Status::Ok()
                                : JetStreamError(s, *code, "nats-jetstream: create stream " + name);
          },
          kPlacementWait);
      if (!created.ok()) return created;
      if (si != nullptr && si->Cluster != nullptr && si->Cluster->Leader != nullptr) {
        leaders_[name] = si->Cluster->Leader;
      }
      jsStreamInfo_Destroy(si);
    }
    replicas_ = replicas;
    return Status::Ok();
  }

  Status DeleteTopics() override {
    Status first;
    for (const std::string& name : created_) {
      jsErrCode code = static_cast<jsErrCode>(0);
      const natsStatus s = js_DeleteStream(js_.get(), name.c_str(), nullptr, &code);
      if (s != NATS_OK && s != NATS_NOT_FOUND && first.ok()) {
        first = JetStreamError(s, code, "nats-jetstream: delete stream " + name);
      }
    }
    created_.clear();
    return first;
  }

  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    if (layout_.subjects.empty()) return Internal("nats-jetstream: CreateTopics must come first");
    return NewJetStreamProducer(ctx_, settings_, layout_, index, sink);
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (layout_.subjects.empty()) return Internal("nats-jetstream: CreateTopics must come first");
    if (!spec.valid()) return InvalidArgument("nats-jetstream: consumer outside the run's subscriptions");
    return NewJetStreamConsumer(ctx_, settings_, layout_, spec);
  }

  std::map<std::string, std::string> Facts() override {
    auto facts = ConnectionFacts(control_.nc.get(), ctx_.system->options);
    facts["semantics"] =
        "JetStream: a send is acked when the stream stored it (replicas: " + std::to_string(replicas_) +
        "); pull consumers ack each message";
    for (const auto& [name, leader] : leaders_) facts["stream_leader." + name] = leader;
    ReadBackStreamFacts(facts);
    std::string names;
    for (const std::string& n : created_) names += (names.empty() ? "" : ",") + n;
    if (!names.empty()) facts["streams"] = names;
    return facts;
  }

 private:
  // The first stream's storage and replicas as the server reports them (stream info), not as asked,
  // and the guarantee they give an acked publish.
  void ReadBackStreamFacts(std::map<std::string, std::string>& facts) {
    if (created_.empty() || js_ == nullptr) return;
    jsStreamInfo* si = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    if (js_GetStreamInfo(&si, js_.get(), created_.front().c_str(), nullptr, &code) != NATS_OK ||
        si == nullptr || si->Config == nullptr) {
      facts["delivery_guarantee"] = "at-least-once, acked when stored (stream info not readable)";
      jsStreamInfo_Destroy(si);
      return;
    }
    const std::string storage = si->Config->Storage == js_MemoryStorage ? "memory" : "file";
    const int64_t replicas = si->Config->Replicas;
    int current = 1;  // the leader
    if (si->Cluster != nullptr) {
      for (int i = 0; i < si->Cluster->ReplicasLen; ++i) current += si->Cluster->Replicas[i]->Current ? 1 : 0;
    }
    jsStreamInfo_Destroy(si);
    facts["stream.storage"] = storage;
    facts["stream.replicas"] = std::to_string(replicas);
    facts["stream.replicas_current"] = std::to_string(current);
    facts["delivery_guarantee"] = JetStreamGuarantee(storage, replicas);
  }

  SessionContext ctx_;
  NatsJetStreamSettings settings_;
  Connection control_;
  JetStreamPtr js_;
  JetStreamLayout layout_;
  std::vector<std::string> created_;
  std::map<std::string, std::string> leaders_;
  int64_t replicas_ = 1;
};

}  // namespace

std::string JetStreamGuarantee(const std::string& storage, int64_t replicas) {
  std::string text = "at-least-once, acked when stored by a quorum of " + std::to_string(replicas) +
                     (replicas == 1 ? " replica" : " replicas") + " in " + storage + " storage";
  if (storage == "memory") text += " (lost when the server stops)";
  return text;
}

namespace {

// File storage survives a restart; options that do not bind count as the default (file).
bool DurableStorage(const OptionValues& options) {
  Result<NatsJetStreamSettings> settings = NatsJetStreamOptions().Bind(options);
  return !settings.ok() || settings->storage == "file";
}

class NatsJetStreamDriver final : public Driver {
 public:
  std::string name() const override { return "nats-jetstream"; }
  std::string description() const override {
    return "NATS JetStream (cnats): streams with file/memory storage and replicas, async publish with acks, "
           "durable pull consumers with explicit ack.";
  }
  const OptionSchema& schema() const override { return NatsJetStreamSchema(); }
  const OptionBinding* option_binding() const override { return &NatsJetStreamOptions(); }
  Capabilities capabilities(const OptionValues& options) const override {
    return {.ordered_per_stream = true, .confirms_publish = true, .durable = DurableStorage(options)};
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& ctx) override {
    return drivers_kit::ConnectOrStatus("nats-jetstream", [&]() -> Result<std::unique_ptr<Session>> {
      Result<NatsJetStreamSettings> settings = NatsJetStreamOptions().Bind(ctx.system->options);
      if (!settings.ok()) return settings.status();
      Result<Connection> control = nats_internal::Connect(*settings, ctx.endpoints, "js-control");
      if (!control.ok()) return control.status();
      Result<JetStreamPtr> js = NewJetStreamContext(control->nc.get(), *settings);
      if (!js.ok()) return js.status();
      return std::unique_ptr<Session>(new JetStreamSession(
          ctx, std::move(settings).value(), std::move(control).value(), std::move(js).value()));
    });
  }
};

}  // namespace

Driver* GetNatsJetStreamDriver() {
  static NatsJetStreamDriver driver;
  return &driver;
}

}  // namespace bakeoff
