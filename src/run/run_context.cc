#include "run/run_context.h"

#include "measure/clock.h"

namespace bakeoff {

const char* StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kNone:
      return "none";
    case StopReason::kCancelled:
      return "cancelled";
    case StopReason::kInterrupted:
      return "interrupted";
    case StopReason::kDeadline:
      return "deadline";
  }
  return "none";
}

const char* RunPhaseName(RunPhase phase) {
  switch (phase) {
    case RunPhase::kProvisioning:
      return "provisioning";
    case RunPhase::kConnecting:
      return "connecting";
    case RunPhase::kCreatingTopics:
      return "creating_topics";
    case RunPhase::kRunning:
      return "running";
    case RunPhase::kTearingDown:
      return "tearing_down";
  }
  return "running";
}

void RunContext::RequestStop(StopReason reason) noexcept {
  int none = static_cast<int>(StopReason::kNone);
  reason_.compare_exchange_strong(none, static_cast<int>(reason));
  stop_.store(true, std::memory_order_release);
}

int64_t RunContext::WallNowNs() const {
  return wall_clock_ns ? wall_clock_ns() : bakeoff::WallNowNs();
}

}  // namespace bakeoff
