#include "env/existing_provider.h"

namespace bakeoff {
namespace {

class ExistingEnvironment final : public Environment {
 public:
  explicit ExistingEnvironment(Endpoints endpoints) : endpoints_(std::move(endpoints)) {}
  std::vector<std::string> Plan() const override { return {"nothing to create (existing system)"}; }
  Status Apply(std::chrono::nanoseconds) override { return Status::Ok(); }
  Status Destroy() override { return Status::Ok(); }
  Endpoints endpoints() const override { return endpoints_; }
  std::map<std::string, std::string> Facts() const override { return {{"kind", "existing"}}; }

 private:
  Endpoints endpoints_;
};

class ExistingProvider final : public Provider {
 public:
  ExistingProvider() {
    schema_.options = {
        {.name = "endpoints",
         .type = OptionType::kStringMap,
         .optional = true,
         .help = "Connection endpoints handed to the driver, e.g. {bootstrap_servers: \"host:9092\"}. "
                 "Driver options such as kafka `bootstrap_servers` take precedence."},
    };
  }
  std::string name() const override { return "existing"; }
  std::string description() const override {
    return "Connect to a system that already runs; nothing is created or destroyed.";
  }
  const OptionSchema& schema() const override { return schema_; }
  Result<std::unique_ptr<Environment>> Create(const SystemSpec& system) override {
    return std::unique_ptr<Environment>(
        new ExistingEnvironment(system.environment.options.GetStringMap("endpoints")));
  }

 private:
  OptionSchema schema_;
};

}  // namespace

Provider* GetExistingProvider() {
  static ExistingProvider provider;
  return &provider;
}

}  // namespace bakeoff
