// Option schemas for the spec tests: a fake driver with one option of every type and a few providers.
// Schemas only, no servers; the real registries live above the spec layer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/parser.h"

namespace bakeoff::spec_test {

inline OptionSpec Option(std::string name, OptionType type, std::optional<OptionValue> default_value = {}) {
  OptionSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.default_value = std::move(default_value);
  return spec;
}

inline OptionSchema FakeDriverSchema() {
  OptionSchema schema;
  OptionSpec endpoint = Option("endpoint", OptionType::kString);
  endpoint.help = "host:port to connect to.";
  schema.options.push_back(endpoint);
  schema.options.push_back(Option("enabled", OptionType::kBool, true));
  OptionSpec batch = Option("batch", OptionType::kInt, int64_t{10});
  batch.min = 1;
  batch.max = 1000;
  schema.options.push_back(batch);
  OptionSpec ratio = Option("ratio", OptionType::kDouble, 0.25);
  ratio.min = 0;
  ratio.max = 1;
  schema.options.push_back(ratio);
  OptionSpec acks = Option("acks", OptionType::kEnum, std::string("all"));
  acks.choices = {"0", "1", "all"};
  schema.options.push_back(acks);
  OptionSpec buffer = Option("buffer", OptionType::kBytes, int64_t{1} << 20);
  buffer.min = 1024;  // bytes
  schema.options.push_back(buffer);
  OptionSpec linger = Option("linger", OptionType::kDuration, int64_t{5'000'000});
  linger.max = 10;  // seconds
  schema.options.push_back(linger);
  OptionSpec password = Option("password", OptionType::kString);
  password.optional = true;
  password.secret = true;
  schema.options.push_back(password);
  OptionSpec properties = Option("properties", OptionType::kStringMap);
  properties.optional = true;
  schema.options.push_back(properties);
  return schema;
}

class TestSchemaLookup : public SchemaLookup {
 public:
  TestSchemaLookup() {
    drivers_["fake"] = FakeDriverSchema();
    drivers_["kafka"] = FakeDriverSchema();
    drivers_["memory"] = OptionSchema{};
    OptionSpec brokers = Option("brokers", OptionType::kInt, int64_t{1});
    brokers.min = 1;
    providers_["embedded"].options.push_back(brokers);
    providers_["local"] = OptionSchema{};
    providers_["existing"] = OptionSchema{};
  }
  const OptionSchema* DriverSchema(const std::string& driver) const override {
    return Find(drivers_, driver);
  }
  const OptionSchema* ProviderSchema(const std::string& provider) const override {
    return Find(providers_, provider);
  }
  std::vector<std::string> DriverNames() const override { return Names(drivers_); }
  std::vector<std::string> ProviderNames() const override { return Names(providers_); }

 private:
  using Schemas = std::map<std::string, OptionSchema>;
  static const OptionSchema* Find(const Schemas& schemas, const std::string& name) {
    auto it = schemas.find(name);
    return it == schemas.end() ? nullptr : &it->second;
  }
  static std::vector<std::string> Names(const Schemas& schemas) {
    std::vector<std::string> names;
    for (const auto& [name, schema] : schemas) names.push_back(name);
    return names;
  }
  Schemas drivers_;
  Schemas providers_;
};

inline const SchemaLookup& TestSchemas() {
  static const TestSchemaLookup lookup;
  return lookup;
}

}  // namespace bakeoff::spec_test
