// ErrorCounts: how often each kind of error happened during a run, keyed by where it happened (phase)
// and its status code — never by formatted text, so the number of entries stays small however many
// distinct messages (offsets, ids) a failing system produces. The first message of each kind is kept
// as its example.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/status.h"

namespace bakeoff {

// Where in a run an error happened.
enum class ErrorPhase : int {
  kSend,      // a producer's send failed or was reported failed
  kFlush,     // a producer's final flush
  kReceive,   // a consumer's poll
  kClose,     // a consumer's close
  kSchedule,  // messages never sent before the deadline (the producer fell behind)
  kClient,    // the client library reported an error outside any call (a broker connection lost)
};
// "send", "flush", "receive", "close", "schedule", "client"
const char* ErrorPhaseName(ErrorPhase phase);

// Something a client library reported that is no failed call but changes what the run measured: a
// consumer group rebalance moves partitions between consumers (and pauses their delivery).
enum class ClientEvent : int {
  kNone = 0,   // the entry counts failed calls of its status code
  kRebalance,  // partitions assigned to or revoked from a consumer during the run
};

struct ErrorCount {
  ErrorPhase phase = ErrorPhase::kSend;
  StatusCode code = StatusCode::kInternal;
  ClientEvent event = ClientEvent::kNone;  // set for events; `code` is then kOk
  std::string example;                     // the first message of this kind
  uint64_t count = 0;
};

// The entry's code for result files and tables: the event's name ("rebalance") for an event, else the
// status code's ("unavailable").
const char* ErrorCodeName(const ErrorCount& e);

class ErrorCounts {
 public:
  void Add(ErrorPhase phase, const Status& status, uint64_t n = 1);
  void Add(ErrorPhase phase, StatusCode code, const std::string& message, uint64_t n = 1);
  void AddEvent(ErrorPhase phase, ClientEvent event, const std::string& message, uint64_t n = 1);
  void Merge(const ErrorCounts& other);
  bool empty() const { return counts_.empty(); }
  size_t size() const { return counts_.size(); }
  uint64_t total() const;
  uint64_t total(ErrorPhase phase) const;  // over every code of that phase
  // Entries in (phase, code) order.
  std::vector<ErrorCount> entries() const;
  // (Describe(entry), count) in entries() order: for tables and test messages.
  std::vector<std::pair<std::string, uint64_t>> described() const;
  // "send: unavailable: <example>" — for logs and tables.
  static std::string Describe(const ErrorCount& e);

 private:
  void Add(const ErrorCount& kind, uint64_t n);
  // Keyed by (phase, event, code).
  std::map<std::tuple<int, int, int>, ErrorCount> counts_;
};

}  // namespace bakeoff
