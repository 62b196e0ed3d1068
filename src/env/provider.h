// The environment/provider interface: how a system under test comes to exist.
//
// A provider (embedded, local, existing, ...) plans an Environment for one system; the runner applies
// it, hands its endpoints to the driver, and destroys it on every exit path (success, error, Ctrl-C).
// Destroy() must be idempotent and safe to call after a failed or partial Apply().
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "drivers/driver.h"
#include "spec/experiment.h"
#include "spec/option_schema.h"

namespace bakeoff {

class Environment {
 public:
  virtual ~Environment() = default;
  // Human-readable list of what Apply() would create (for `bakeoff env plan` and logs).
  virtual std::vector<std::string> Plan() const = 0;
  // Creates the resources and waits until they are healthy at the protocol level, up to `timeout`.
  virtual Status Apply(std::chrono::nanoseconds timeout) = 0;
  // Removes everything Apply() created. Idempotent; never throws.
  virtual Status Destroy() = 0;
  virtual Endpoints endpoints() const = 0;
  // Creates topics on the environment's side where the protocol cannot (e.g. the Kafka mock cluster).
  virtual Status PrepareTopics(const TopicLayout& /*layout*/) { return Status::Ok(); }
  // Facts for the result file (server version, node count, ...).
  virtual std::map<std::string, std::string> Facts() const { return {}; }
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual const OptionSchema& schema() const = 0;
  // Plans the environment of `system` (its environment options are validated already).
  virtual Result<std::unique_ptr<Environment>> Create(const SystemSpec& system) = 0;
};

Provider* FindProvider(const std::string& name);
std::vector<Provider*> AllProviders();

}  // namespace bakeoff
