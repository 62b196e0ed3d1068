#include "measure/run_metrics.h"

namespace bakeoff {

const char* RunEndText(RunEnd end) {
  switch (end) {
    case RunEnd::kCompleted:
      return "completed";
    case RunEnd::kCompletedCap:
      return "completed (message cap)";
    case RunEnd::kCompletedWithGaps:
      return "completed; some messages never arrived (every stream's last one did)";
    case RunEnd::kDrainTimeout:
      return "drain timeout: not every message arrived within drain_timeout";
    case RunEnd::kInterrupted:
      return "interrupted";
  }
  return "completed";
}

}  // namespace bakeoff
