#include "workload/find_max.h"

#include <algorithm>
#include <cstdio>

#include "spec/limits.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

// Below this rate a shrinking search gives up: the system meets the objective at no useful rate.
constexpr double kLowestRate = 1.0;

std::string Percent(double share) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.0f%%", 100.0 * share);
  return text;
}

}  // namespace

FindMaxSearch::FindMaxSearch(const FindMaxSpec& spec, bool has_consumers)
    : spec_(spec), has_consumers_(has_consumers), next_rate_(spec.start_msgs_per_s) {}

bool FindMaxSearch::Meets(StepMetrics& step) const {
  const double floor = step.rate_target * kFindMaxSustainShare;
  if (step.sent_per_s < floor) {
    step.why = "sent " + FormatCount(step.sent_per_s) + "/s, below " + Percent(kFindMaxSustainShare) +
               " of the target";
    return false;
  }
  if (has_consumers_ && step.received_per_s < floor) {
    step.why = "received " + FormatCount(step.received_per_s) + "/s, below " + Percent(kFindMaxSustainShare) +
               " of the target";
    return false;
  }
  // In flight at the end of a healthy step: what the objective allows (rate x bound), and a little.
  const double allowed = step.rate_target * static_cast<double>(spec_.p99_e2e_bound_ns) / 1e9 +
                         0.01 * step.rate_target * step.duration_s;
  if (has_consumers_ && static_cast<double>(step.backlog_growth) > allowed) {
    step.why = "backlog grew by " + FormatCount(static_cast<double>(step.backlog_growth)) + " messages";
    return false;
  }
  if (has_consumers_ && step.e2e.total_count() == 0) {
    step.why = "no end-to-end latency recorded";
    return false;
  }
  const int64_t p99 = step.e2e.ValueAtPercentile(99);
  if (has_consumers_ && p99 >= spec_.p99_e2e_bound_ns) {
    step.why = "e2e p99 " + FormatDurationNs(static_cast<double>(p99)) + " not below " +
               FormatDurationNs(static_cast<double>(spec_.p99_e2e_bound_ns));
    return false;
  }
  step.why.clear();
  return true;
}

void FindMaxSearch::Judge(StepMetrics& step) {
  ++steps_;
  step.met = Meets(step);
  if (step.met) {
    highest_good_ = std::max(highest_good_, step.rate_target);
  } else {
    lowest_bad_ = lowest_bad_ == 0 ? step.rate_target : std::min(lowest_bad_, step.rate_target);
  }
  if (highest_good_ > 0 && lowest_bad_ > 0 && lowest_bad_ <= highest_good_) {
    // A lower rate failed after a higher one met it (noise): trust the failure, search below it.
    highest_good_ = 0;
  }
  if (lowest_bad_ == 0) {
    next_rate_ = step.rate_target * 2;
    if (next_rate_ > kMaxRateMsgsPerS) Stop("reached the highest rate bakeoff sends (1G/s)");
  } else if (highest_good_ == 0) {
    next_rate_ = lowest_bad_ / 2;
    if (next_rate_ < kLowestRate) Stop("no rate of at least 1 msg/s met the objective");
  } else if ((lowest_bad_ - highest_good_) / highest_good_ <= spec_.within) {
    Stop("within " + Percent(spec_.within));
  } else {
    next_rate_ = (highest_good_ + lowest_bad_) / 2;
  }
  if (!done_ && steps_ >= spec_.max_steps)
    Stop("max_steps (" + std::to_string(spec_.max_steps) + ") reached");
}

void FindMaxSearch::Stop(const std::string& why) {
  if (done_) return;
  done_ = true;
  ended_ = why;
}

FindMaxOutcome FindMaxSearch::Outcome() const {
  FindMaxOutcome out;
  out.objective = spec_.objective_text + ", no backlog growth, >= " + Percent(kFindMaxSustainShare) +
                  " of the rate sent and received";
  out.found = highest_good_ > 0;
  out.found_rate = highest_good_;
  out.steps = steps_;
  out.ended = ended_;
  return out;
}

}  // namespace bakeoff
