// Integration tests: every server kind comes up healthy through the local provider's own code and is
// destroyed without a trace (no process, no listening port, no directory, no state file).
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

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

}  // namespace
}  // namespace bakeoff
