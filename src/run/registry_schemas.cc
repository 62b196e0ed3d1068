#include "run/registry_schemas.h"

#include <algorithm>

#include "drivers/registry.h"
#include "env/provider.h"
#include "spec/suggest.h"

namespace bakeoff {

const OptionSchema* RegistrySchemas::DriverSchema(const std::string& driver) const {
  Driver* d = FindDriver(driver);
  return d ? &d->schema() : nullptr;
}

const OptionSchema* RegistrySchemas::ProviderSchema(const std::string& provider) const {
  Provider* p = FindProvider(provider);
  return p ? &p->schema() : nullptr;
}

std::vector<std::string> RegistrySchemas::DriverNames() const {
  std::vector<std::string> names;
  for (Driver* d : AllDrivers()) names.push_back(d->name());
  return names;
}

std::vector<std::string> RegistrySchemas::ProviderNames() const {
  std::vector<std::string> names;
  for (Provider* p : AllProviders()) names.push_back(p->name());
  return names;
}

ParseOutcome LoadExperiment(const std::string& path, const std::vector<ExperimentOverride>& overrides) {
  RegistrySchemas schemas;
  return ParseExperimentFile(path, schemas, overrides);
}

Status KeepSystems(Experiment& experiment, const std::vector<std::string>& only) {
  if (only.empty()) return Status::Ok();
  std::vector<std::string> names;
  for (const SystemSpec& s : experiment.systems) names.push_back(s.name);
  for (const std::string& name : only) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "`" : ", `") + n + "`";
      return InvalidArgument("--system " + name + ": the experiment has no such system" +
                             DidYouMeanSuffix(name, names) + "; its systems: " + known);
    }
  }
  const auto keep = [&only](std::vector<SystemSpec>& systems) {
    std::erase_if(systems, [&only](const SystemSpec& s) {
      return std::find(only.begin(), only.end(), s.name) == only.end();
    });
  };
  keep(experiment.systems);
  for (MatrixPoint& point : experiment.points) keep(point.systems);
  std::erase_if(experiment.thresholds, [&only](const ThresholdSpec& t) {
    return t.scope != "all" && std::find(only.begin(), only.end(), t.scope) == only.end();
  });
  return Status::Ok();
}

}  // namespace bakeoff
