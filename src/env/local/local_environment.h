// A local environment: real server processes on 127.0.0.1, created by Apply() and removed by Destroy().
// Every resource is recorded in the state file before it is created (see env_state.h). Destroy() is
// idempotent, also safe after a failed or partial Apply(), and also runs from the destructor unless the
// environment was detached. Thread-safe: calls are serialized.
#pragma once

#include <memory>
#include <mutex>

#include "env/local/env_state.h"
#include "env/local/server_kinds.h"
#include "env/provider.h"

namespace bakeoff {

struct LocalEnvironmentOptions {
  std::string system_name;
  LocalSettings settings;
  const ServerKind* kind = nullptr;     // default: FindServerKind(settings.server); tests bring their own
  ProcessLauncher* launcher = nullptr;  // default: the OS
  std::string state_dir;                // default: EnvironmentStateDir()
  std::string work_root;                // default: EnvironmentWorkRoot()
};

class LocalEnvironment final : public Environment {
 public:
  explicit LocalEnvironment(LocalEnvironmentOptions options);
  ~LocalEnvironment() override;

  std::vector<std::string> Plan() const override;
  Status Apply(std::chrono::nanoseconds timeout) override;
  Status Destroy() override;
  Endpoints endpoints() const override;
  std::map<std::string, std::string> Facts() const override;
  std::vector<ServerProcess> Processes() const override;
  std::string Detach() override;

  const std::string& id() const { return id_; }
  std::string work_dir() const;

 private:
  Status ApplyLocked(std::chrono::milliseconds timeout);
  Status SpawnRecorded(const ProcessPlan& plan);
  // `limit`: the time Apply allowed in all (the smaller of its timeout and startup_timeout), for errors.
  Status WaitHealthy(const ServerLayout& layout, std::chrono::steady_clock::time_point deadline,
                     std::chrono::milliseconds limit);
  Status SaveLocked();

  LocalEnvironmentOptions options_;
  const ServerKind* kind_ = nullptr;
  std::string id_;
  StateStore store_;
  mutable std::mutex mu_;
  EnvState state_;
  bool recorded_ = false;  // a state file exists (Apply started)
  bool detached_ = false;
  bool failed_ = false;  // Apply failed (and tore down what it had created)
  std::map<std::string, std::string> facts_;
  std::vector<ServerProcess> servers_;
};

// "<system>-<6 hex>", usable as a file name.
std::string NewEnvironmentId(const std::string& system_name);

}  // namespace bakeoff
