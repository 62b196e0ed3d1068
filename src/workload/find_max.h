// The max-sustainable-rate search of `rate: {find_max: ...}`: which rate each step runs at and when the
// search ends. Pure logic (no threads, no clock), so that the search itself is tested apart from the
// runner, which runs each step as fixed-rate open-loop load and hands back its figures.
//
// The search grows the rate geometrically (x2) from `start` while steps meet the objective, shrinks it
// (/2) while they fail and none met it yet, then bisects between the highest rate that met it and the
// lowest that failed until they are within `within` of each other. It ends after `max_steps` steps.
#pragma once

#include <string>

#include "measure/run_metrics.h"
#include "spec/experiment.h"

namespace bakeoff {

// A step is sustained when it sent and received at least this share of its target rate.
inline constexpr double kFindMaxSustainShare = 0.95;

class FindMaxSearch {
 public:
  FindMaxSearch(const FindMaxSpec& spec, bool has_consumers);

  bool done() const { return done_; }
  double next_rate() const { return next_rate_; }  // total msgs/s of the next step; valid while !done()

  // Judges a finished step (sets step.met and step.why) and decides the next rate or the end.
  void Judge(StepMetrics& step);
  // Ends the search early (interrupted, out of schedule space).
  void Stop(const std::string& why);

  FindMaxOutcome Outcome() const;

 private:
  bool Meets(StepMetrics& step) const;

  FindMaxSpec spec_;
  bool has_consumers_;
  double next_rate_ = 0;
  double highest_good_ = 0;  // 0: none yet
  double lowest_bad_ = 0;    // 0: none yet
  int steps_ = 0;
  bool done_ = false;
  std::string ended_;
};

}  // namespace bakeoff
