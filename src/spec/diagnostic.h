// One problem found in an experiment file, located in it. The parser's internals and its callers share
// it; it depends on nothing but the experiment model's SourceLocation.
#pragma once

#include <string>

#include "spec/experiment.h"

namespace bakeoff {

struct Diagnostic {
  SourceLocation location;
  std::string field_path;  // e.g. "workload.partitions", "systems[1].options.acks"
  std::string message;     // what is wrong and what was expected
  std::string suggestion;  // e.g. "did you mean `partitions`?"; empty if none

  // "file:line:col: field: message (suggestion)"
  std::string ToString() const;
};

}  // namespace bakeoff
