// Everything a result directory holds, written in one call after each run: result.json, results.csv,
// hlog/*.hlog and report.html. The top of the results module: it uses all the renderers.
#pragma once

#include <string>

#include "base/status.h"
#include "results/result.h"

namespace bakeoff {

// Writes result.json, results.csv, the .hlog files of runs with metrics and report.html into `dir`.
// Each file is replaced atomically (temp file + rename).
Status WriteResultArtifacts(const ExperimentResult& result, const std::string& dir);

}  // namespace bakeoff
