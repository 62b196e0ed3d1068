// Parsing and strict validation of experiment files (YAML).
//
// Every problem in a file is reported at once, each with file:line:col, the field path, what was
// expected, and a "did you mean" suggestion for likely typos. Parsing never throws.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "spec/diagnostic.h"
#include "spec/experiment.h"
#include "spec/option_schema.h"

namespace bakeoff {

// Where the parser finds the option schemas of drivers and environment providers. Implemented by the
// registries above the spec layer, so that spec depends on nothing but base.
class SchemaLookup {
 public:
  virtual ~SchemaLookup() = default;
  // nullptr if no such driver/provider.
  virtual const OptionSchema* DriverSchema(const std::string& driver) const = 0;
  virtual const OptionSchema* ProviderSchema(const std::string& provider) const = 0;
  virtual std::vector<std::string> DriverNames() const = 0;
  virtual std::vector<std::string> ProviderNames() const = 0;
};

struct ParseOutcome {
  Experiment experiment;                // meaningful only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;  // all problems found, in file order
  bool ok() const { return diagnostics.empty(); }
};

// `bakeoff run --set workload.duration=5s`: a value put in place of what the file says before it is
// validated, as a matrix axis would (`path` as in `matrix:`; `value` is YAML: `5s`, `{ramp: ...}`).
struct ExperimentOverride {
  std::string path;
  std::string value;
};

// Parses YAML text; `file_name` is used in diagnostics and to resolve relative paths.
ParseOutcome ParseExperiment(const std::string& yaml_text, const std::string& file_name,
                             const SchemaLookup& schemas,
                             const std::vector<ExperimentOverride>& overrides = {});

// Reads and parses a file. A file that cannot be read gives a single diagnostic naming it.
ParseOutcome ParseExperimentFile(const std::string& path, const SchemaLookup& schemas,
                                 const std::vector<ExperimentOverride>& overrides = {});

}  // namespace bakeoff
