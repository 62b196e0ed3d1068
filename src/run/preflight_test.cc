// validate catches what run would reject (issue 9, point 7): provider/driver conflicts and unset
// ${env:...} variables, each named with file:line:col, through LoadExperiment as `validate` calls it.
#include "run/preflight.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "run/registry_schemas.h"

namespace bakeoff {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/preflight-" + name + ".yaml";
  std::ofstream(path) << text;
  return path;
}

// Every diagnostic of loading `text`, one a line.
std::string Problems(const std::string& name, const std::string& text) {
  const ParseOutcome parsed = LoadExperiment(Write(name, text));
  std::string all;
  for (const Diagnostic& d : parsed.diagnostics) all += d.ToString() + "\n";
  return all;
}

constexpr const char* kWorkload = "workload:\n  duration: 1s\n";

TEST(PreflightTest, RedisCannotFormAClusterOfThree) {
  const std::string problems =
      Problems("redis-nodes", std::string("name: p\nsystems:\n  - name: redis\n    driver: redis-streams\n"
                                          "    environment: {provider: local, nodes: 3}\n") +
                                  kWorkload);
  EXPECT_NE(problems.find("preflight-redis-nodes.yaml:3:5: systems.redis.environment: local: `nodes: 3`"),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find("only nats, rabbitmq and kafka form clusters"), std::string::npos) << problems;
}

TEST(PreflightTest, JetStreamMemoryServerWithFileStreamsIsNamed) {
  const std::string problems =
      Problems("js-storage", std::string("name: p\nsystems:\n  - name: js\n    driver: nats-jetstream\n"
                                         "    environment: {provider: local, storage: memory}\n") +
                                 kWorkload);
  EXPECT_NE(problems.find("systems.js.environment: local: the environment's `storage: memory`"),
            std::string::npos)
      << problems;
  EXPECT_NE(problems.find("set `options.storage: memory`"), std::string::npos) << problems;
  // Both sides memory: fine.
  EXPECT_EQ(
      Problems("js-storage-ok", std::string("name: p\nsystems:\n  - name: js\n    driver: nats-jetstream\n"
                                            "    environment: {provider: local, storage: memory}\n"
                                            "    options: {storage: memory}\n") +
                                    kWorkload),
      "");
}

TEST(PreflightTest, MemoryDriverUnderAServerProviderIsNamed) {
  const std::string local =
      Problems("mem-local", std::string("name: p\nsystems:\n  - name: m\n    driver: memory\n"
                                        "    environment: local\n") +
                                kWorkload);
  EXPECT_NE(local.find("systems.m.environment: local: driver `memory` needs no server"), std::string::npos)
      << local;
  const std::string embedded =
      Problems("mem-embedded", std::string("name: p\nsystems:\n  - name: m\n    driver: memory\n"
                                           "    environment: embedded\n") +
                                   kWorkload);
  EXPECT_NE(embedded.find("only hosts the kafka driver"), std::string::npos) << embedded;
}

TEST(PreflightTest, EmbeddedReplicationBeyondItsBrokersIsNamed) {
  const std::string problems =
      Problems("embedded-rf", std::string("name: p\nsystems:\n  - name: k\n    driver: kafka\n"
                                          "    environment: {provider: embedded, brokers: 1}\n"
                                          "    options: {replication_factor: 3}\n") +
                                  kWorkload);
  EXPECT_NE(problems.find("`replication_factor: 3` needs at least that many brokers"), std::string::npos)
      << problems;
}

TEST(PreflightTest, UnsetEnvironmentVariableIsNamedAtItsLine) {
  ::unsetenv("BAKEOFF_PREFLIGHT_UNSET");
  const std::string text =
      std::string(
          "name: p\nsystems:\n  - name: k\n    driver: kafka\n    environment: existing\n"
          "    options:\n      bootstrap_servers: 127.0.0.1:9092\n"
          "      security_protocol: sasl_plaintext\n      sasl_mechanism: PLAIN\n"
          "      sasl_username: u\n      sasl_password: ${env:BAKEOFF_PREFLIGHT_UNSET}\n") +
      kWorkload;
  const std::string problems = Problems("env", text);
  EXPECT_NE(problems.find("preflight-env.yaml:11:22: systems.k.options.sasl_password: environment variable "
                          "BAKEOFF_PREFLIGHT_UNSET is not set"),
            std::string::npos)
      << problems;
  ::setenv("BAKEOFF_PREFLIGHT_UNSET", "x", 1);
  EXPECT_EQ(Problems("env-set", text), "");
  ::unsetenv("BAKEOFF_PREFLIGHT_UNSET");
}

TEST(PreflightTest, AMatrixPointsOwnConflictNamesThePoint) {
  const std::string problems =
      Problems("matrix", std::string("name: p\nsystems:\n  - name: redis\n    driver: redis-streams\n"
                                     "    environment: local\n") +
                             kWorkload + "matrix:\n  systems.redis.environment.nodes: [1, 3]\n");
  EXPECT_NE(problems.find("(at matrix point systems.redis.environment.nodes=3)"), std::string::npos)
      << problems;
}

}  // namespace
}  // namespace bakeoff
