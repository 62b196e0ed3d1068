// The SchemaLookup the spec parser uses in programs: backed by the driver and provider registries.
#pragma once

#include "spec/parser.h"

namespace bakeoff {

class RegistrySchemas final : public SchemaLookup {
 public:
  const OptionSchema* DriverSchema(const std::string& driver) const override;
  const OptionSchema* ProviderSchema(const std::string& provider) const override;
  std::vector<std::string> DriverNames() const override;
  std::vector<std::string> ProviderNames() const override;
};

// Parses and validates an experiment file against the compiled-in drivers and providers, with
// `--set` overrides applied first.
ParseOutcome LoadExperiment(const std::string& path, const std::vector<ExperimentOverride>& overrides = {});

// Keeps only the systems named in `only` (`run --system NAME`), in the file's order, in the experiment
// and in each matrix point. An unknown name is an InvalidArgument naming the systems there are.
Status KeepSystems(Experiment& experiment, const std::vector<std::string>& only);

}  // namespace bakeoff
