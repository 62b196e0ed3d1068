#include "measure/error_counts.h"

namespace bakeoff {

const char* ErrorPhaseName(ErrorPhase phase) {
  switch (phase) {
    case ErrorPhase::kSend:
      return "send";
    case ErrorPhase::kFlush:
      return "flush";
    case ErrorPhase::kReceive:
      return "receive";
    case ErrorPhase::kClose:
      return "close";
    case ErrorPhase::kSchedule:
      return "schedule";
    case ErrorPhase::kClient:
      return "client";
  }
  return "send";
}

const char* ErrorCodeName(const ErrorCount& e) {
  switch (e.event) {
    case ClientEvent::kNone:
      break;
    case ClientEvent::kRebalance:
      return "rebalance";
  }
  return StatusCodeName(e.code);
}

void ErrorCounts::Add(ErrorPhase phase, const Status& status, uint64_t n) {
  Add(phase, status.code(), status.message(), n);
}

void ErrorCounts::Add(ErrorPhase phase, StatusCode code, const std::string& message, uint64_t n) {
  Add(ErrorCount{.phase = phase, .code = code, .example = message}, n);
}

void ErrorCounts::AddEvent(ErrorPhase phase, ClientEvent event, const std::string& message, uint64_t n) {
  Add(ErrorCount{.phase = phase, .code = StatusCode::kOk, .event = event, .example = message}, n);
}

void ErrorCounts::Add(const ErrorCount& kind, uint64_t n) {
  if (n == 0) return;
  ErrorCount& entry =
      counts_[{static_cast<int>(kind.phase), static_cast<int>(kind.event), static_cast<int>(kind.code)}];
  if (entry.count == 0) {
    entry = kind;
    entry.count = 0;
  }
  entry.count += n;
}

void ErrorCounts::Merge(const ErrorCounts& other) {
  for (const auto& [key, e] : other.counts_) Add(e, e.count);
}

uint64_t ErrorCounts::total() const {
  uint64_t sum = 0;
  for (const auto& [key, e] : counts_) sum += e.count;
  return sum;
}

uint64_t ErrorCounts::total(ErrorPhase phase) const {
  uint64_t sum = 0;
  for (const auto& [key, e] : counts_) {
    if (e.phase == phase) sum += e.count;
  }
  return sum;
}

std::vector<ErrorCount> ErrorCounts::entries() const {
  std::vector<ErrorCount> out;
  out.reserve(counts_.size());
  for (const auto& [key, e] : counts_) out.push_back(e);
  return out;
}

std::vector<std::pair<std::string, uint64_t>> ErrorCounts::described() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& [key, e] : counts_) out.emplace_back(Describe(e), e.count);
  return out;
}

std::string ErrorCounts::Describe(const ErrorCount& e) {
  return std::string(ErrorPhaseName(e.phase)) + ": " + ErrorCodeName(e) + ": " + e.example;
}

}  // namespace bakeoff
