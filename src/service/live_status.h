// What the scheduler knows about the experiment it is running, beyond the queue's row: the current
// system/run/phase and the last second's progress line.
#pragma once

#include <optional>
#include <string>

#include "run/run_context.h"

namespace bakeoff {

struct LiveStatus {
  std::string id;
  std::optional<PhaseEvent> phase;
  std::optional<ProgressLine> progress;
  double run_total_s = 0;  // warm-up + duration of one run, from the spec
  // Seconds until the experiment should end: the rest of this run plus the runs after it.
  double EtaSeconds() const;
};

}  // namespace bakeoff
