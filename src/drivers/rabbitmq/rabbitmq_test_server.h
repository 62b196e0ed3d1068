// Test helper: a RabbitMQ server for the driver's integration tests, started through the local provider
// (real rabbitmq-server processes on allocated ports). Before that provider exists, or to test against a
// broker of one's own, BAKEOFF_RABBITMQ_URL names an existing one (then nothing can be killed).
#pragma once

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "base/status.h"
#include "env/provider.h"

#if __has_include("env/local/local_provider.h")
#include "env/local/local_provider.h"
#define BAKEOFF_RABBIT_TEST_HAS_LOCAL 1
#endif

namespace bakeoff {

struct RabbitTestServer {
  Status status;
  Endpoints endpoints;
  SystemSpec system;
  std::unique_ptr<Environment> env;

  bool can_kill() const { return env != nullptr; }
  // Kills the server the hard way (as a crash would), from any thread.
  void Kill() {
    if (env) (void)env->Destroy();
  }
  ~RabbitTestServer() {
    if (env) (void)env->Destroy();
  }
};

inline std::unique_ptr<RabbitTestServer> StartRabbitTestServer(const std::string& name) {
  auto server = std::make_unique<RabbitTestServer>();
  if (const char* url = std::getenv("BAKEOFF_RABBITMQ_URL"); url != nullptr && *url != '\0') {
    server->endpoints = {{"url", url}};
    return server;
  }
#ifdef BAKEOFF_RABBIT_TEST_HAS_LOCAL
  Provider* provider = GetLocalProvider();
  server->system.name = name;
  server->system.driver = "rabbitmq";
  server->system.environment.provider = "local";
  ApplyDefaults(provider->schema(), server->system.environment.options);
  Result<std::unique_ptr<Environment>> env = provider->Create(server->system);
  if (!env.ok()) {
    server->status = env.status();
    return server;
  }
  server->env = std::move(env).value();
  server->status = server->env->Apply(std::chrono::seconds(90));
  if (server->status.ok()) server->endpoints = server->env->endpoints();
#else
  (void)name;
  server->status = Unavailable("no local provider yet and BAKEOFF_RABBITMQ_URL is not set");
#endif
  return server;
}

}  // namespace bakeoff
