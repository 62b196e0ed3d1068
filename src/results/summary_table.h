// The terminal side-by-side table printed at the end of `bakeoff run`.
#pragma once

#include <string>

#include "results/result.h"

namespace bakeoff {

// One column per run; rows: throughput, publish and end-to-end percentiles (corrected, with the
// uncorrected figure beside), accounting and errors.
std::string RenderSummaryTable(const ExperimentResult& result);

}  // namespace bakeoff
