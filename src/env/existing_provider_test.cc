// The `existing` provider: hands the endpoints it is given to the driver and creates and destroys nothing.
// Against a real redis-server that the `local` provider starts (standing in for a system that runs
// elsewhere): a run through an existing environment delivers, and destroying that environment leaves the
// server running.
#include "env/existing_provider.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "drivers/registry.h"
#include "drivers/testing/local_system_run.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using StringMap = std::map<std::string, std::string>;

SystemSpec ExistingSystem(const StringMap& endpoints) {
  SystemSpec system;
  system.name = "elsewhere";
  system.driver = "redis-streams";
  system.environment.provider = "existing";
  system.environment.options.Set("endpoints", endpoints);
  return system;
}

TEST(ExistingProviderTest, IsRegisteredAndPassesItsEndpointsThroughUnchanged) {
  ASSERT_EQ(FindProvider("existing"), GetExistingProvider());
  const StringMap given{{"url", "redis://10.1.2.3:7000"}, {"region", "eu-west-1"}};
  Result<std::unique_ptr<Environment>> env = GetExistingProvider()->Create(ExistingSystem(given));
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ((*env)->Plan(), std::vector<std::string>{"nothing to create (existing system)"});
  EXPECT_TRUE((*env)->Apply(std::chrono::seconds(1)).ok());
  EXPECT_EQ((*env)->endpoints(), given);
  EXPECT_EQ((*env)->Facts().at("kind"), "existing");
  EXPECT_TRUE((*env)->Processes().empty()) << "it runs nothing";
  EXPECT_EQ((*env)->Detach(), "") << "nothing to keep";
  EXPECT_TRUE((*env)->Destroy().ok());
  EXPECT_TRUE((*env)->Destroy().ok()) << "idempotent";
  EXPECT_EQ((*env)->endpoints(), given) << "destroying forgets nothing it did not make";

  const OptionSpec* endpoints = GetExistingProvider()->schema().Find("endpoints");
  ASSERT_NE(endpoints, nullptr);
  EXPECT_EQ(endpoints->type, OptionType::kStringMap);
  Result<std::unique_ptr<Environment>> none = GetExistingProvider()->Create(ExistingSystem({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)->endpoints().empty()) << "then the driver's own options say where the system is";
}

TEST(ExistingProviderTest, RunsAgainstAServerItDoesNotOwnAndLeavesItRunning) {
  // The "existing" server: a real redis-server from the local provider.
  testing::LocalSystemRun server(FindDriver("redis-streams"), "owned-elsewhere");
  Status started = server.StartServer();
  ASSERT_TRUE(started.ok()) << started.ToString();

  for (int round = 0; round < 2; ++round) {  // the second round proves the first left the server up
    SystemSpec system = ExistingSystem(server.endpoints);
    ApplyDefaults(GetExistingProvider()->schema(), system.environment.options);
    ApplyDefaults(FindDriver("redis-streams")->schema(), system.options);
    Result<std::unique_ptr<Environment>> env = GetExistingProvider()->Create(system);
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    ASSERT_TRUE((*env)->Apply(std::chrono::seconds(5)).ok());
    WorkloadSpec workload;
    workload.warmup_ns = 0;
    workload.messages = 5'000;
    workload.rate.msgs_per_s = 10'000;
    workload.duration_ns = 30'000'000'000;
    workload.message_size.fixed_bytes = 100;
    SessionContext ctx{.system = &system,
                       .workload = &workload,
                       .endpoints = (*env)->endpoints(),
                       .run_id = "existing-" + std::to_string(round)};
    Result<std::unique_ptr<Session>> session = FindDriver("redis-streams")->Connect(ctx);
    ASSERT_TRUE(session.ok()) << "round " << round << ": " << session.status().ToString();
    TopicLayout layout{.topics = {"bk-existing-" + std::to_string(round)}, .partitions = 1};
    ASSERT_TRUE((*session)->CreateTopics(layout).ok());
    Result<RunMetrics> m = testing::RunAndPrint(**session, system, workload);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    testing::ExpectExactlyOnceInOrder(*m, 5'000u);
    EXPECT_TRUE((*session)->DeleteTopics().ok());
    session->reset();
    EXPECT_TRUE((*env)->Destroy().ok());
    EXPECT_FALSE(server.env->Processes().empty())
        << "the existing environment stopped a server it does not own";
  }
}

}  // namespace
}  // namespace bakeoff
