// Option and URL handling of the rabbitmq driver (no broker needed).
#include "drivers/rabbitmq/rabbitmq_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "drivers/rabbitmq/rabbitmq_driver.h"

namespace bakeoff {
namespace {

TEST(RabbitMqConfigTest, ParsesOneUrlPerNode) {
  Result<std::vector<RabbitNode>> nodes =
      ParseRabbitUrls("amqp://guest:guest@127.0.0.1:5701, amqp://u%40x:p%3Aw@localhost:5702/my%2fvhost");
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].host, "127.0.0.1");
  EXPECT_EQ((*nodes)[0].port, 5701);
  EXPECT_EQ((*nodes)[0].vhost, "/");
  EXPECT_EQ((*nodes)[1].username, "u@x");
  EXPECT_EQ((*nodes)[1].password, "p:w");
  EXPECT_EQ((*nodes)[1].vhost, "my/vhost");
}

TEST(RabbitMqConfigTest, RejectsBadUrlsWithoutQuotingThem) {
  for (const char* bad : {"", "http://h:1", "amqp://h:0", "amqp://h:99999", "amqp://u:secret@:5672",
                          "amqp://h:5x", "amqps://h:5671", "amqp://h/%zz"}) {
    Result<std::vector<RabbitNode>> nodes = ParseRabbitUrls(bad);
    EXPECT_FALSE(nodes.ok()) << bad;
    if (!nodes.ok()) {
      EXPECT_EQ(nodes.status().message().find("secret"), std::string::npos);
    }
  }
}

TEST(RabbitMqConfigTest, OptionsOverrideUrlAndDefaultsAreSane) {
  OptionValues options;
  ApplyDefaults(RabbitMqOptionSchema(), options);
  options.Set("username", std::string("bob"));
  options.Set("password", std::string("${env:BAKEOFF_TEST_RABBIT_PW}"));
  Endpoints endpoints{{"url", "amqp://guest:guest@127.0.0.1:1,amqp://guest:guest@127.0.0.1:2"}};
  Result<RabbitMqConfig> config = BuildRabbitMqConfig(options, endpoints);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->nodes.size(), 2u);
  EXPECT_EQ(config->nodes[1].username, "bob");
  EXPECT_EQ(config->nodes[1].password, "${env:BAKEOFF_TEST_RABBIT_PW}");  // resolved only at connect
  EXPECT_EQ(config->queue_type, RabbitQueueType::kQuorum);
  EXPECT_TRUE(config->durable_queues());
  EXPECT_EQ(config->first_node_for(3), 1u);

  ::unsetenv("BAKEOFF_TEST_RABBIT_PW");
  Result<RabbitCredentials> missing = ResolvedCredentials(config->nodes[0]);
  EXPECT_FALSE(missing.ok());
  ::setenv("BAKEOFF_TEST_RABBIT_PW", "s3cret", 1);
  Result<RabbitCredentials> resolved = ResolvedCredentials(config->nodes[0]);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->password, "s3cret");

  options.Set("url", std::string("amqp://h:7"));
  options.Set("connect_to", std::string("first"));
  config = BuildRabbitMqConfig(options, endpoints);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->nodes.size(), 1u);
  EXPECT_EQ(config->first_node_for(3), 0u);
}

TEST(RabbitMqConfigTest, CapabilitiesFollowDurability) {
  Driver* driver = GetRabbitMqDriver();
  OptionValues options;
  ApplyDefaults(driver->schema(), options);
  EXPECT_TRUE(driver->capabilities(options).durable);  // quorum
  options.Set("queue_type", std::string("classic"));
  options.Set("persistent", false);
  EXPECT_FALSE(driver->capabilities(options).durable);
  options.Set("persistent", true);
  EXPECT_TRUE(driver->capabilities(options).durable);
  options.Set("publisher_confirms", false);
  EXPECT_FALSE(driver->capabilities(options).durable);
  EXPECT_FALSE(driver->capabilities(options).confirms_publish);
  EXPECT_TRUE(driver->capabilities(options).ordered_per_stream);
}

TEST(RabbitMqConfigTest, QueueNamesAreTopicDotPartition) {
  TopicLayout layout{.topics = {"a", "b"}, .partitions = 3};
  EXPECT_EQ(RabbitQueueName(layout, 0), "a.0");
  EXPECT_EQ(RabbitQueueName(layout, 4), "b.1");
}

TEST(RabbitMqConfigTest, UnreachableBrokerFailsFastWithAnError) {
  SystemSpec system;
  system.driver = "rabbitmq";
  ApplyDefaults(GetRabbitMqDriver()->schema(), system.options);
  system.options.Set("connect_timeout", int64_t{500'000'000});
  WorkloadSpec workload;
  SessionContext ctx{.system = &system,
                     .workload = &workload,
                     .endpoints = {{"url", "amqp://guest:guest@127.0.0.1:1"}},
                     .run_id = "t"};
  Result<std::unique_ptr<Session>> session = GetRabbitMqDriver()->Connect(ctx);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kUnavailable) << session.status().ToString();
}

}  // namespace
}  // namespace bakeoff
