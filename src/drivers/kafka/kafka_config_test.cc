// The option -> librdkafka property mapping, including managed-cloud logins by configuration alone.
#include "drivers/kafka/kafka_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "drivers/kafka/kafka_driver.h"

namespace bakeoff {
namespace {

std::string Get(const KafkaProperties& props, const std::string& key) {
  std::string value = "<unset>";
  for (const KafkaProperty& p : props) {
    if (p.key == key) value = p.value;  // the last one wins, as in librdkafka
  }
  return value;
}

std::string ConfValue(rd_kafka_conf_t* conf, const char* key) {
  char buf[1024];
  size_t size = sizeof(buf);
  if (rd_kafka_conf_get(conf, key, buf, &size) != RD_KAFKA_CONF_OK) return "<unset>";
  return buf;
}

OptionValues Defaults() {
  OptionValues v;
  ApplyDefaults(GetKafkaDriver()->schema(), v);
  return v;
}

TEST(KafkaConfigTest, BootstrapComesFromTheEnvironmentUnlessGiven) {
  OptionValues v = Defaults();
  Result<KafkaProperties> p =
      BuildKafkaProperties(v, {{"bootstrap_servers", "127.0.0.1:9"}}, KafkaClientRole::kProducer, "g");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Get(*p, "bootstrap.servers"), "127.0.0.1:9");
  v.Set("bootstrap_servers", std::string("broker:9092"));
  p = BuildKafkaProperties(v, {{"bootstrap_servers", "127.0.0.1:9"}}, KafkaClientRole::kProducer, "g");
  EXPECT_EQ(Get(*p, "bootstrap.servers"), "broker:9092");
  EXPECT_EQ(BuildKafkaProperties(Defaults(), {}, KafkaClientRole::kProducer, "g").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(KafkaConfigTest, RolesGetTheirPropertiesAndPassThroughWins) {
  OptionValues v = Defaults();
  v.Set("linger_ms", int64_t{7});
  v.Set("consumer_config", std::map<std::string, std::string>{{"fetch.wait.max.ms", "3"}});
  Result<KafkaProperties> producer =
      BuildKafkaProperties(v, {{"bootstrap_servers", "h:1"}}, KafkaClientRole::kProducer, "bakeoff-r1");
  Result<KafkaProperties> consumer =
      BuildKafkaProperties(v, {{"bootstrap_servers", "h:1"}}, KafkaClientRole::kConsumer, "bakeoff-r1");
  ASSERT_TRUE(producer.ok() && consumer.ok());
  EXPECT_EQ(Get(*producer, "linger.ms"), "7");
  EXPECT_EQ(Get(*producer, "acks"), "all");
  EXPECT_EQ(Get(*producer, "group.id"), "<unset>");
  EXPECT_EQ(Get(*consumer, "group.id"), "bakeoff-r1");
  EXPECT_EQ(Get(*consumer, "auto.offset.reset"), "earliest");
  EXPECT_EQ(Get(*consumer, "fetch.wait.max.ms"), "3");
  EXPECT_EQ(Get(*consumer, "session.timeout.ms"), "10000");  // not librdkafka's 45 s
  EXPECT_EQ(Get(*producer, "session.timeout.ms"), "<unset>");
  Result<KafkaConfPtr> conf = NewKafkaConf(*consumer);
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  EXPECT_EQ(ConfValue(conf->get(), "fetch.wait.max.ms"), "3");
  conf = NewKafkaConf(*producer);
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
}

TEST(KafkaConfigTest, AcksBelowAllNeedsIdempotenceOff) {
  OptionValues v = Defaults();
  v.Set("acks", std::string("1"));
  Result<KafkaProperties> p =
      BuildKafkaProperties(v, {{"bootstrap_servers", "h:1"}}, KafkaClientRole::kProducer, "g");
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  v.Set("enable_idempotence", false);
  EXPECT_TRUE(BuildKafkaProperties(v, {{"bootstrap_servers", "h:1"}}, KafkaClientRole::kProducer, "g").ok());
  EXPECT_FALSE(GetKafkaDriver()->capabilities(v).durable);
}

TEST(KafkaConfigTest, EventHubsLoginByConfigurationAlone) {
  const std::string secret =
      "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s3cr3t";
  setenv("BAKEOFF_TEST_EH_CONNECTION_STRING", secret.c_str(), 1);
  OptionValues v = Defaults();
  v.Set("bootstrap_servers", std::string("ns.servicebus.windows.net:9093"));
  v.Set("security_protocol", std::string("sasl_ssl"));
  v.Set("sasl_mechanism", std::string("PLAIN"));
  v.Set("sasl_username", std::string("$ConnectionString"));
  v.Set("sasl_password", std::string("${env:BAKEOFF_TEST_EH_CONNECTION_STRING}"));
  Result<KafkaProperties> p = BuildKafkaProperties(v, {}, KafkaClientRole::kProducer, "g");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  // Kept as the reference until the conf is built.
  EXPECT_EQ(Get(*p, "sasl.password"), "${env:BAKEOFF_TEST_EH_CONNECTION_STRING}");
  Result<KafkaConfPtr> conf = NewKafkaConf(*p);
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  EXPECT_EQ(ConfValue(conf->get(), "security.protocol"), "sasl_ssl");
  EXPECT_EQ(ConfValue(conf->get(), "sasl.mechanisms"), "PLAIN");
  EXPECT_EQ(ConfValue(conf->get(), "sasl.username"), "$ConnectionString");
  EXPECT_EQ(ConfValue(conf->get(), "sasl.password"), secret);
  for (const auto& [key, value] : KafkaPropertiesForFacts(*p)) {
    EXPECT_EQ(value.find("s3cr3t"), std::string::npos) << key;
  }

  unsetenv("BAKEOFF_TEST_EH_CONNECTION_STRING");
  Result<KafkaConfPtr> missing = NewKafkaConf(*p);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("BAKEOFF_TEST_EH_CONNECTION_STRING"), std::string::npos)
      << missing.status().message();
}

TEST(KafkaConfigTest, MskScramAndPlainSecretsStayOutOfFacts) {
  OptionValues v = Defaults();
  v.Set("bootstrap_servers", std::string("b-1.msk.amazonaws.com:9096"));
  v.Set("security_protocol", std::string("sasl_ssl"));
  v.Set("sasl_mechanism", std::string("SCRAM-SHA-512"));
  v.Set("sasl_username", std::string("alice"));
  v.Set("sasl_password", std::string("plain-text-password"));
  v.Set("producer_config", std::map<std::string, std::string>{{"ssl.key.password", "hunter2"}});
  Result<KafkaProperties> p = BuildKafkaProperties(v, {}, KafkaClientRole::kProducer, "g");
  ASSERT_TRUE(p.ok());
  Result<KafkaConfPtr> conf = NewKafkaConf(*p);
  ASSERT_TRUE(conf.ok()) << conf.status().ToString();
  EXPECT_EQ(ConfValue(conf->get(), "sasl.mechanisms"), "SCRAM-SHA-512");
  std::map<std::string, std::string> facts = KafkaPropertiesForFacts(*p);
  EXPECT_EQ(facts.count("sasl.password"), 0u);
  EXPECT_EQ(facts.count("ssl.key.password"), 0u);
  EXPECT_EQ(facts.at("sasl.username"), "alice");
}

TEST(KafkaConfigTest, BadPassThroughPropertyIsNamed) {
  OptionValues v = Defaults();
  v.Set("producer_config", std::map<std::string, std::string>{{"no.such.property", "1"}});
  Result<KafkaProperties> p =
      BuildKafkaProperties(v, {{"bootstrap_servers", "h:1"}}, KafkaClientRole::kProducer, "g");
  ASSERT_TRUE(p.ok());
  Result<KafkaConfPtr> conf = NewKafkaConf(*p);
  ASSERT_FALSE(conf.ok());
  EXPECT_NE(conf.status().message().find("no.such.property"), std::string::npos);
}

TEST(KafkaConfigTest, TimeoutsRoundUpToWholeMilliseconds) {
  EXPECT_EQ(KafkaTimeoutMs(std::chrono::nanoseconds(0)), 0);
  EXPECT_EQ(KafkaTimeoutMs(std::chrono::microseconds(10)), 1);
  EXPECT_EQ(KafkaTimeoutMs(std::chrono::milliseconds(20)), 20);
}

}  // namespace
}  // namespace bakeoff
