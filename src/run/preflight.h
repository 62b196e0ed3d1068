// What `run` would refuse after the file parsed, found before anything is provisioned: a provider that
// cannot host the system as configured (redis with `nodes: 3`, JetStream `storage: memory` on the server
// with file streams in the driver, the memory driver under a provider that starts a server, ...) and
// `${env:NAME}` references to variables that are not set. `validate` and `run` both call it (through
// LoadExperiment), so a file `validate` accepts does not fail at provisioning or connecting.
#pragma once

#include <string>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/experiment.h"

namespace bakeoff {

// Diagnostics for `experiment` (parsed from `file_text`, used to place `${env:...}` references at their
// line and column), each once, in file order of the systems.
std::vector<Diagnostic> PreflightExperiment(const Experiment& experiment, const std::string& file_text);

}  // namespace bakeoff
