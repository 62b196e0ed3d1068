// Turning a submitted body into an experiment: parsed and validated exactly like `bakeoff validate`
// (the same parser and schemas), and given an id that is safe as a directory name.
#pragma once

#include <cstdint>
#include <string>

#include "spec/parser.h"

namespace bakeoff {

// Parses `text` (YAML, or JSON, which is YAML too) with the registries' schemas. `label` names the
// body in diagnostics and resolves relative paths (payload files) against its directory.
ParseOutcome ParseSubmission(const std::string& text, const std::string& label);

// "20261206T010203Z-<name>-<4 hex>", with the name reduced to [A-Za-z0-9_-] and at most 40 characters.
std::string NewExperimentId(const std::string& experiment_name, int64_t now_unix_ns);

// Whether `id` may name an experiment (and a directory under the data dir): [A-Za-z0-9._-]{1,128},
// not starting with a dot.
bool IsValidExperimentId(const std::string& id);

}  // namespace bakeoff
