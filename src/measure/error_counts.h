// ErrorCounts: how often each kind of error happened during a run, keyed by where it happened (phase)
// and its status code — never by formatted text, so the number of entries stays small however many
// distinct messages (offsets, ids) a failing system produces. The first message of each kind is kept
// as its example.
#pragma once

#include <cstdint>
#include <map>
#include <string>
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
};
const char* ErrorPhaseName(ErrorPhase phase);  // "send", "flush", "receive", "close", "schedule"

struct ErrorCount {
  ErrorPhase phase = ErrorPhase::kSend;
  StatusCode code = StatusCode::kInternal;
  std::string example;  // the first message of this kind
  uint64_t count = 0;
};

class ErrorCounts {
 public:
  void Add(ErrorPhase phase, const Status& status, uint64_t n = 1);
  void Add(ErrorPhase phase, StatusCode code, const std::string& message, uint64_t n = 1);
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
  std::map<std::pair<int, int>, ErrorCount> counts_;
};

}  // namespace bakeoff
