#include "drivers/kit/host_port.h"

#include <gtest/gtest.h>

namespace bakeoff::drivers_kit {
namespace {

const HostPort kDefaults{.host = "127.0.0.1", .port = 6379};

TEST(HostPortTest, HostAndPortEachFallBackToTheDefault) {
  Result<HostPort> both = ParseHostPort("10.0.0.1:7000", kDefaults, "redis");
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->host, "10.0.0.1");
  EXPECT_EQ(both->port, 7000);
  Result<HostPort> host_only = ParseHostPort("db.example", kDefaults, "redis");
  ASSERT_TRUE(host_only.ok());
  EXPECT_EQ(host_only->host, "db.example");
  EXPECT_EQ(host_only->port, 6379);
  Result<HostPort> port_only = ParseHostPort(":1884", kDefaults, "mqtt");
  ASSERT_TRUE(port_only.ok());
  EXPECT_EQ(port_only->host, "127.0.0.1");
  EXPECT_EQ(port_only->port, 1884);
  Result<HostPort> empty = ParseHostPort("", kDefaults, "mqtt");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->host, "127.0.0.1");
  EXPECT_EQ(empty->port, 6379);
}

TEST(HostPortTest, BracketedIpv6KeepsItsColons) {
  Result<HostPort> v6 = ParseHostPort("[::1]:9000", kDefaults, "redis");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->port, 9000);
  Result<HostPort> v6_no_port = ParseHostPort("[::1]", kDefaults, "redis");
  ASSERT_TRUE(v6_no_port.ok());
  EXPECT_EQ(v6_no_port->host, "[::1]");
  EXPECT_EQ(v6_no_port->port, 6379);
}

TEST(HostPortTest, BadPortsAreNamedErrors) {
  for (const char* bad : {"h:0", "h:65536", "h:99999", "h:", "h:12a", "h:-1", "h:123456"}) {
    Result<HostPort> r = ParseHostPort(bad, kDefaults, "mqtt");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().rfind("mqtt: bad port \"", 0), 0u) << r.status().message();
  }
  EXPECT_TRUE(ParseHostPort("h:65535", kDefaults, "mqtt").ok());
  EXPECT_TRUE(ParseHostPort("h:1", kDefaults, "mqtt").ok());
}

}  // namespace
}  // namespace bakeoff::drivers_kit
