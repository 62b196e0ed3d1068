#include "service/experiment_queue.h"

namespace bakeoff {
namespace {

constexpr const char* kStateNames[] = {"queued",    "provisioning",     "running",       "tearing_down",
                                       "succeeded", "failed",           "threshold_failed", "not_sustained",
                                       "cancelled", "interrupted"};

}  // namespace

const char* ExperimentStateName(ExperimentState state) { return kStateNames[static_cast<int>(state)]; }

std::optional<ExperimentState> ParseExperimentState(const std::string& name) {
  for (int i = 0; i < static_cast<int>(std::size(kStateNames)); ++i) {
    if (name == kStateNames[i]) return static_cast<ExperimentState>(i);
  }
  return std::nullopt;
}

bool IsTerminal(ExperimentState state) {
  switch (state) {
    case ExperimentState::kQueued:
    case ExperimentState::kProvisioning:
    case ExperimentState::kRunning:
    case ExperimentState::kTearingDown:
      return false;
    case ExperimentState::kSucceeded:
    case ExperimentState::kFailed:
    case ExperimentState::kThresholdFailed:
    case ExperimentState::kNotSustained:
    case ExperimentState::kCancelled:
    case ExperimentState::kInterrupted:
      return true;
  }
  return true;
}

bool IsActive(ExperimentState state) {
  return state == ExperimentState::kProvisioning || state == ExperimentState::kRunning ||
         state == ExperimentState::kTearingDown;
}

}  // namespace bakeoff
