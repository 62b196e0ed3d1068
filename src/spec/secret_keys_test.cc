// Secrets in pass-through maps (issue 10, point 6): known secret keys written as plain text are refused
// with file:line:col; references are accepted. Before: `producer_config: {sasl.password: ...}` passed
// validation and was written verbatim into result.json.
#include <gtest/gtest.h>

#include "spec/parser.h"
#include "spec/secrets.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

std::string WithProperties(const std::string& key, const std::string& value) {
  return "name: x\nsystems:\n  - name: a\n    driver: fake\n    options:\n      endpoint: localhost:1\n"
         "      properties:\n        " +
         key + ": " + value + "\nworkload: {}\n";
}

TEST(SecretKeysTest, KnownSecretKeysAreRecognized) {
  for (const char* key :
       {"sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.truststore.password",
        "sasl.jaas.config", "SASL.JAAS.CONFIG", "sasl.oauthbearer.client.secret", "ssl.key.pem",
        "producer.sasl.jaas.config", "requirepass", "aws_secret_access_key"})
    EXPECT_TRUE(IsSecretKey(key)) << key;
  for (const char* key : {"acks", "compression.type", "linger.ms", "sasl.mechanism", "ssl.ca.location"})
    EXPECT_FALSE(IsSecretKey(key)) << key;
  EXPECT_EQ(RedactedValue("sasl.password", "hunter2"), kRedacted);
  EXPECT_EQ(RedactedValue("sasl.password", "${env:PW}"), "${env:PW}");
  EXPECT_EQ(RedactedValue("acks", "all"), "all");
}

TEST(SecretKeysTest, PlainSecretsInPassThroughMapsAreRefusedWithALocation) {
  for (const char* key : {"sasl.password", "ssl.keystore.password", "sasl.jaas.config"}) {
    ParseOutcome outcome =
        ParseExperiment(WithProperties(key, "hunter2"), "s.yaml", spec_test::TestSchemas());
    ASSERT_EQ(outcome.diagnostics.size(), 1u) << key;
    const std::string message = outcome.diagnostics[0].ToString();
    EXPECT_EQ(message.rfind(std::string("s.yaml:8:") + std::to_string(11 + std::string(key).size()) + ":", 0),
              0u)
        << message;
    EXPECT_NE(message.find(std::string("`") + key + "` is a secret"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << "the error repeats the secret: " << message;
  }
  ParseOutcome by_reference = ParseExperiment(WithProperties("sasl.password", "${env:KAFKA_PASSWORD}"),
                                              "s.yaml", spec_test::TestSchemas());
  EXPECT_TRUE(by_reference.ok()) << by_reference.diagnostics[0].ToString();
}

}  // namespace
}  // namespace bakeoff
