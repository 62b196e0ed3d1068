#include "aws/encoding.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "aws/credentials.h"

namespace bakeoff::aws {
namespace {

TEST(EncodingTest, Base64RoundTripsEveryLengthAndByte) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(static_cast<char>(i * 37));
    const std::string encoded = Base64Encode(data);
    std::optional<std::string> decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, data);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
}

TEST(EncodingTest, Base64RejectsMalformedText) {
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(Base64Decode("Z=9v").has_value());
  EXPECT_EQ(Base64Decode("").value(), "");
}

TEST(EncodingTest, Sha256AndUriEncoding) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(UriEncode("a b/c~+", false), "a%20b%2Fc~%2B");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriDecode("%E1%88%B4+%zz%4"), "\xE1\x88\xB4+%zz%4");
}

TEST(CredentialsTest, ExplicitValuesWinAndEnvironmentFillsTheRest) {
  setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1);
  Result<Credentials> from_env = ResolveCredentials({});
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->access_key_id, "ENVKEY");
  EXPECT_EQ(from_env->session_token, "ENVTOKEN");
  Result<Credentials> explicit_key = ResolveCredentials({.access_key_id = "MINE", .secret_access_key = "S"});
  ASSERT_TRUE(explicit_key.ok());
  EXPECT_EQ(explicit_key->access_key_id, "MINE");
  EXPECT_EQ(explicit_key->session_token, "") << "an env token never pairs with an explicit key";
  EXPECT_EQ(Describe(*explicit_key).find("S)"), std::string::npos);
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  Result<Credentials> none = ResolveCredentials({});
  EXPECT_EQ(none.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);

  setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
  EXPECT_EQ(ResolveRegion("", "us-east-1"), "eu-west-1");
  setenv("AWS_REGION", "eu-central-1", 1);
  EXPECT_EQ(ResolveRegion("", "us-east-1"), "eu-central-1");
  EXPECT_EQ(ResolveRegion("ap-south-1", "us-east-1"), "ap-south-1");
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  EXPECT_EQ(ResolveRegion("", "us-east-1"), "us-east-1");
}

}  // namespace
}  // namespace bakeoff::aws
