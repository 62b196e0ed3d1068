// The environment/provider interface: how a system under test comes to exist.
//
// A provider (embedded, local, existing, ...) plans an Environment for one system; the runner applies
// it, hands its endpoints to the driver, and destroys it on every exit path (success, error, Ctrl-C).
// Destroy() must be idempotent and safe to call after a failed or partial Apply().
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "spec/experiment.h"
#include "spec/option_schema.h"
#include "spec/topology.h"

namespace bakeoff {

// Endpoint keys an environment hands to drivers (drivers may also take them as options):
//   kafka:          "bootstrap_servers" = "127.0.0.1:9092,127.0.0.1:9093"
//   redis-streams:  "url" = "redis://127.0.0.1:PORT"
//   nats, nats-jetstream: "url" = "nats://127.0.0.1:P1,nats://127.0.0.1:P2,..." (one per node)
//   rabbitmq:       "url" = "amqp://guest:guest@127.0.0.1:P1,amqp://guest:guest@127.0.0.1:P2" (one per node)
//   mqtt:           "url" = "mqtt://127.0.0.1:PORT"
//   kinesis:        "url" = "http://127.0.0.1:PORT", "region" = "us-east-1"

// A server process an environment runs, so that the runner can sample its CPU, memory and I/O.
struct ServerProcess {
  std::string name;  // e.g. "nats-1"
  int pid = 0;
};

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
  // The server processes now running (empty for in-process or remote systems).
  virtual std::vector<ServerProcess> Processes() const { return {}; }
  // Leaves what Apply() created running after this process ends (`bakeoff run --keep`): Destroy() and
  // the destructor no longer remove it. Returns the id `bakeoff env down ID` takes, or "" when the
  // environment cannot outlive the process (embedded) and will still be destroyed.
  virtual std::string Detach() { return {}; }

  // A flag (set by a Ctrl-C or SIGTERM handler) that makes a slow Apply() stop waiting for health and
  // return kCancelled, after removing what it created. May be null; must outlive Apply().
  void SetCancelFlag(const std::atomic<bool>* flag) { cancel_ = flag; }

 protected:
  bool CancelRequested() const { return cancel_ != nullptr && cancel_->load(); }

 private:
  const std::atomic<bool>* cancel_ = nullptr;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual const OptionSchema& schema() const = 0;
  // What Create() would refuse about `system` (a driver this provider cannot host, settings that
  // conflict with the driver's options), found without creating or starting anything: `validate`
  // calls it, so a file it accepts does not fail at provisioning. The message names the setting.
  virtual Status Check(const SystemSpec& /*system*/) const { return Status::Ok(); }
  // Plans the environment of `system` (its environment options are validated already).
  virtual Result<std::unique_ptr<Environment>> Create(const SystemSpec& system) = 0;
};

Provider* FindProvider(const std::string& name);
std::vector<Provider*> AllProviders();

}  // namespace bakeoff
