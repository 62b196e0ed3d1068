// Integration tests: every server kind comes up healthy through the local provider's own code and is
// destroyed without a trace (no process, no listening port, no directory, no state file).
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "env/local/local_environment.h"
#include "env/local/local_test_support.h"
#include "env/process/ports.h"

namespace bakeoff {
namespace {

using testing_support::Bringup;
using testing_support::ExpectNothingLeft;
using testing_support::ExpectSandboxEmpty;
using testing_support::Sandbox;

TEST(LocalServersTest, RedisSingleNodePinned) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "redis", .cpus = {0}, .cpus_text = "0"});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->Facts().at("cpus"), "0");
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(up.env->Processes().at(0).pid, sizeof(set), &set), 0);
  EXPECT_EQ(CPU_COUNT(&set), 1);
  EXPECT_TRUE(CPU_ISSET(0, &set));
  EXPECT_EQ(up.env->endpoints().at("url").rfind("redis://127.0.0.1:", 0), 0u);
  EXPECT_NE(up.env->Facts().at("server_version").find("v="), std::string::npos);
  EXPECT_EQ(up.env->Processes().size(), 1u);
  std::printf("redis up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, NatsSingleNodeJetStream) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "nats"});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->Facts().at("jetstream"), "on");
  std::printf("nats up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, NatsThreeNodeJetStreamCluster) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "nats", .nodes = 3});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  const std::string url = up.env->endpoints().at("url");
  EXPECT_EQ(std::count(url.begin(), url.end(), ','), 2) << url;
  EXPECT_EQ(up.env->Processes().size(), 3u);
  std::printf("nats 3-node JetStream cluster up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, MosquittoSingleNode) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "mosquitto"});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->endpoints().at("url").rfind("mqtt://127.0.0.1:", 0), 0u);
  std::printf("mosquitto up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, Kinesalite) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "kinesalite"});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->endpoints().at("region"), "us-east-1");
  std::printf("kinesalite up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, BadRedisSettingFailsWithServerMessageAndLeavesNothing) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "redis", .config = {{"maxmemory-policy", "bogus"}}});
  ASSERT_FALSE(up.status.ok());
  // redis-server's own words, from the tail of its log.
  EXPECT_NE(up.status.message().find("FATAL CONFIG FILE ERROR"), std::string::npos) << up.status.message();
  EXPECT_NE(up.status.message().find("bogus"), std::string::npos) << up.status.message();
  ExpectNothingLeft(sandbox, up, /*already_destroyed=*/true);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, TwoRedisSideBySide) {
  Sandbox sandbox;
  Bringup a = Bringup::Start(sandbox, {.server = "redis"});
  Bringup b = Bringup::Start(sandbox, {.server = "redis"});
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  ASSERT_TRUE(b.status.ok()) << b.status.ToString();
  EXPECT_NE(a.env->endpoints().at("url"), b.env->endpoints().at("url"));
  EXPECT_NE(a.env->work_dir(), b.env->work_dir());
  ExpectNothingLeft(sandbox, a);
  ExpectNothingLeft(sandbox, b);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, RabbitmqSingleNodeWithStreamPlugin) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "rabbitmq", .plugins = {"rabbitmq_stream"}});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->endpoints().at("url").rfind("amqp://guest:guest@127.0.0.1:", 0), 0u);
  EXPECT_EQ(up.env->endpoints().count("stream_url"), 1u);
  std::printf("rabbitmq up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

TEST(LocalServersTest, RabbitmqTwoNodeCluster) {
  Sandbox sandbox;
  Bringup up = Bringup::Start(sandbox, {.server = "rabbitmq", .nodes = 2});
  ASSERT_TRUE(up.status.ok()) << up.status.ToString();
  EXPECT_EQ(up.env->Processes().size(), 2u);
  std::printf("rabbitmq 2-node cluster up in %.3f s\n", up.up_seconds);
  ExpectNothingLeft(sandbox, up);
  ExpectSandboxEmpty(sandbox);
}

// Ctrl-C while a RabbitMQ node boots (about 7 s here): Apply() stops waiting at once, removes what it
// started, and says it was interrupted.
TEST(LocalServersTest, InterruptedRabbitmqBootIsTornDownAtOnce) {
  Sandbox sandbox;
  LocalEnvironmentOptions options;
  options.system_name = "rabbitmq";
  options.settings.server = "rabbitmq";
  options.settings.startup_timeout = std::chrono::seconds(90);
  options.state_dir = sandbox.state_dir();
  options.work_root = sandbox.work_root();
  LocalEnvironment env(options);
  std::atomic<bool> interrupted{false};
  env.SetCancelFlag(&interrupted);
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    interrupted = true;
  });
  const auto start = std::chrono::steady_clock::now();
  const Status st = env.Apply(std::chrono::seconds(120));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ctrl_c.join();
  EXPECT_EQ(st.code(), StatusCode::kCancelled) << st.ToString();
  EXPECT_NE(st.message().find("interrupted"), std::string::npos) << st.message();
  // 1 s until the interrupt, then the teardown of a booting node (SIGTERM, epmd), not the whole boot.
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_TRUE(env.Processes().empty());
  ExpectSandboxEmpty(sandbox);
}

}  // namespace
}  // namespace bakeoff
