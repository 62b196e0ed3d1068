#include "run/registry_schemas.h"

#include "drivers/registry.h"
#include "env/provider.h"

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

ParseOutcome LoadExperiment(const std::string& path) {
  RegistrySchemas schemas;
  return ParseExperimentFile(path, schemas);
}

}  // namespace bakeoff
