// The driver interface: how the workload runner talks to one messaging system.
//
// A driver is one folder under src/drivers/ plus one registration line in registry.cc. It declares an
// option schema (validated by the spec parser, printed by `bakeoff drivers`) and creates a Session per
// run. The runner addresses "streams": stream s is partition (s % partitions) of topic (s / partitions).
//
// Threading: a Session is used from the runner's control thread; each Producer and each Consumer is
// used by exactly one thread (its own). Completion callbacks into a CompletionSink happen only inside
// that producer's Poll()/Flush()/Send(), on the producer's thread.
//
// Errors: every call returns a Status; no exception may leave a driver (they wrap C libraries).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "spec/experiment.h"
#include "spec/option_binding.h"
#include "spec/option_schema.h"
#include "spec/topology.h"

namespace bakeoff {

// What the runner needs back when a send completes. Drivers keep it per in-flight message (or rebuild
// it from the payload, which starts with a MessageHeader carrying the same producer/seq/times).
struct SendTicket {
  uint32_t stream = 0;
  uint32_t producer_id = 0;
  uint64_t seq = 0;
  int64_t intended_ns = 0;
  int64_t sent_ns = 0;
};

struct OutMessage {
  uint32_t stream = 0;
  std::span<const std::byte> key;      // empty = no key
  std::span<const std::byte> payload;  // starts with the MessageHeader; valid only during Send()
  SendTicket ticket;
};

struct InMessage {
  uint32_t stream = 0;
  std::span<const std::byte> payload;  // valid only during the OnReceived() call
};

class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  // The system confirmed these messages (as durable as the configured acks make them).
  virtual void OnAcked(std::span<const SendTicket> tickets) = 0;
  // The system or client gave up on this message.
  virtual void OnFailed(const SendTicket& ticket, const Status& why) = 0;
};

class ReceiveSink {
 public:
  virtual ~ReceiveSink() = default;
  virtual void OnReceived(std::span<const InMessage> batch) = 0;
};

// What a client library reports outside any call: a consumer group rebalance, an error the library
// retries by itself (a broker connection lost). The runner records them in the run's errors.
// Threads: may be called from any producer's or consumer's thread (inside its Poll()/Close()), never
// from a library's internal thread; rare (not per message), so an implementation may take a lock.
class ClientEventSink {
 public:
  virtual ~ClientEventSink() = default;
  // Partitions were assigned to or revoked from consumer `client`; `what` says which and how many.
  virtual void OnRebalance(const std::string& client, const std::string& what) = 0;
  // The library of `client` reported `error` (already retried or to be retried by itself).
  virtual void OnClientError(const std::string& client, const Status& error) = 0;
};

class Producer {
 public:
  virtual ~Producer() = default;
  // Hands one message to the client, asynchronously. kQueueFull means "serve completions with Poll()
  // and retry"; any other error counts as a failed send of this message.
  virtual Status Send(const OutMessage& message) = 0;
  // Serves completions (OnAcked/OnFailed) for up to `max_wait`; returns sooner when there are some.
  virtual void Poll(std::chrono::nanoseconds max_wait) = 0;
  // Waits until every sent message completed or `timeout` passed (then kTimeout).
  virtual Status Flush(std::chrono::nanoseconds timeout) = 0;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // True once the consumer receives from its share of the streams (e.g. group assignment done).
  virtual bool Ready() { return true; }
  // Delivers zero or more messages to `sink`, waiting at most `max_wait` for the first.
  virtual Status Poll(std::chrono::nanoseconds max_wait, ReceiveSink& sink) = 0;
  // Leaves the group / closes the connection. Idempotent.
  virtual Status Close() = 0;
};

struct Capabilities {
  bool ordered_per_stream = true;  // order within a stream is promised (else out_of_order is info only)
  bool confirms_publish = true;    // acks mean the system has the message (else publish latency = client)
  bool durable = true;             // a delivered ack survives a server restart
};

// Which consumer Session::NewConsumer makes. A subscription is an independent reader of every stream (a
// consumer group, a durable, a queue of its own): each receives every message once. Within one
// subscription its `count` consumers share the streams; consumer `index` reads streams index, index +
// count, ... (or whatever the system's group assigns it). With `subscriptions` == 1 a driver keeps the
// names it always used, so results stay comparable with earlier runs.
struct ConsumerSpec {
  int subscription = 0;   // 0 .. subscriptions - 1
  int subscriptions = 1;  // of the run (workload.subscriptions)
  int index = 0;          // 0 .. count - 1, within the subscription
  int count = 1;          // consumers of this subscription (workload.consumers)
  bool valid() const {
    return subscriptions > 0 && subscription >= 0 && subscription < subscriptions && count > 0 &&
           index >= 0 && index < count;
  }
};

struct SessionContext {
  const SystemSpec* system = nullptr;  // validated options of this system
  const WorkloadSpec* workload = nullptr;
  Endpoints endpoints;  // from the environment
  std::string run_id;   // unique per run; drivers use it for group names
};

// One run's connection to a system.
class Session {
 public:
  virtual ~Session() = default;
  virtual Status CreateTopics(const TopicLayout& layout) = 0;
  // Removes what CreateTopics made; best effort, idempotent.
  virtual Status DeleteTopics() = 0;
  virtual Result<std::unique_ptr<Producer>> NewProducer(int producer_index, CompletionSink& sink) = 0;
  // Consumer `spec.index` of `spec.count` of subscription `spec.subscription`: together the consumers of
  // one subscription read every stream; every subscription receives every message. Made after
  // CreateTopics (which may prepare every subscription: context.workload->subscriptions).
  virtual Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) = 0;
  // Facts for the result file: client library version, server version, effective client config.
  virtual std::map<std::string, std::string> Facts() { return {}; }
  // Where producers and consumers made from now on report client events (nullptr: nowhere). The sink
  // must outlive them. Drivers whose libraries report no such events ignore it.
  virtual void SetClientEventSink(ClientEventSink* /*sink*/) {}
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual const OptionSchema& schema() const = 0;
  // The binder schema() comes from (spec/option_binding.h), for checks over every driver; nullptr for a
  // driver that declares its schema by hand (test doubles).
  virtual const OptionBinding* option_binding() const { return nullptr; }
  virtual Capabilities capabilities(const OptionValues& options) const = 0;
  virtual Result<std::unique_ptr<Session>> Connect(const SessionContext& context) = 0;
};

}  // namespace bakeoff
