// SigV4 against the published aws-sig-v4-test-suite vectors in tests/data/aws/sigv4/ (see its README).
// Each case checks the canonical request, the string to sign and the Authorization header.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/encoding.h"

namespace bakeoff::aws {
namespace {

std::filesystem::path VectorsDir() {
  const char* source = std::getenv("BAKEOFF_SOURCE_DIR");
  return std::filesystem::path(source != nullptr ? source : ".") / "tests/data/aws/sigv4";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// request.txt: "METHOD target HTTP/1.1", header lines "Name:value", a blank line, then the body.
struct ParsedRequest {
  SignableRequest request;
  std::string body;
};

ParsedRequest ParseRequest(const std::string& text) {
  ParsedRequest parsed;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const size_t method_end = line.find(' ');
  const size_t target_end = line.rfind(" HTTP/");
  parsed.request.method = line.substr(0, method_end);
  const std::string target = line.substr(method_end + 1, target_end - method_end - 1);
  const size_t question = target.find('?');
  parsed.request.path = target.substr(0, question);
  if (question != std::string::npos) parsed.request.query = target.substr(question + 1);
  while (std::getline(in, line) && !line.empty()) {
    const size_t colon = line.find(':');
    parsed.request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  std::stringstream rest;
  rest << in.rdbuf();
  parsed.body = rest.str();
  return parsed;
}

std::string AuthorizationLine(const std::string& signed_request) {
  std::istringstream in(signed_request);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Authorization:", 0) == 0) return line.substr(14);
  }
  return {};
}

class SigV4VectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4VectorTest, MatchesPublishedVector) {
  const std::filesystem::path dir = VectorsDir() / GetParam();
  ASSERT_TRUE(std::filesystem::exists(dir / "request.txt")) << dir;
  const nlohmann::json context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  ParsedRequest parsed = ParseRequest(ReadFile(dir / "request.txt"));
  parsed.request.payload = parsed.body;

  Credentials credentials;
  credentials.access_key_id = context["credentials"]["access_key_id"];
  credentials.secret_access_key = context["credentials"]["secret_access_key"];
  credentials.session_token = context["credentials"].value("token", "");
  SigningParams params;
  params.region = context["region"];
  params.service = context["service"];
  params.time = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z
  params.add_content_sha256_header = context.value("sign_body", false);

  Result<SignedHeaders> signed_headers = SignV4(parsed.request, credentials, params);
  ASSERT_TRUE(signed_headers.ok()) << signed_headers.status().ToString();
  EXPECT_EQ(signed_headers->canonical_request, ReadFile(dir / "header-canonical-request.txt"));
  EXPECT_EQ(signed_headers->string_to_sign, ReadFile(dir / "header-string-to-sign.txt"));
  std::string authorization;
  for (const HttpHeader& h : signed_headers->headers) {
    if (h.name == "Authorization") authorization = h.value;
  }
  EXPECT_EQ(authorization, AuthorizationLine(ReadFile(dir / "header-signed-request.txt")));
}

INSTANTIATE_TEST_SUITE_P(
    AwsSigV4TestSuite, SigV4VectorTest,
    ::testing::Values("get-vanilla", "get-vanilla-query-order-key-case", "get-vanilla-query-order-encoded",
                      "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-header-value-trim",
                      "get-header-key-duplicate", "get-unreserved", "get-utf8", "get-space-normalized",
                      "get-slash-dot-slash-normalized", "get-slashes-normalized",
                      "get-relative-relative-normalized", "get-vanilla-with-session-token", "post-vanilla",
                      "post-vanilla-query", "post-header-key-sort", "post-x-www-form-urlencoded"),
    [](const ::testing::TestParamInfo<std::string>& info) {
      std::string name = info.param;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(SigV4Test, SigningKeyMatchesTheDocumentedExample) {
  // "Derive a signing key" example of the AWS documentation (secret of the suite, 20150830, iam).
  const std::string key =
      DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
  EXPECT_EQ(HexEncode({reinterpret_cast<const unsigned char*>(key.data()), key.size()}),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Test, S3StylePathIsNeitherNormalizedNorReEncoded) {
  EXPECT_EQ(CanonicalUri("/bucket/a%20b//c", false, false), "/bucket/a%20b//c");
  EXPECT_EQ(CanonicalUri("/a%20b", true, true), "/a%2520b");
  EXPECT_EQ(CanonicalUri("", true, true), "/");
}

TEST(SigV4Test, QueryWithoutValueAndRepeatedNamesSorts) {
  EXPECT_EQ(CanonicalQueryString("b=2&a&b=1&c=x+y"), "a=&b=1&b=2&c=x%2By");
}

TEST(SigV4Test, RefusesMissingHostAndCredentials) {
  SignableRequest request{.method = "GET"};
  SigningParams params{.region = "us-east-1", .service = "service"};
  EXPECT_EQ(SignV4(request, {"AKID", "SECRET", ""}, params).status().code(), StatusCode::kInvalidArgument);
  request.headers.push_back({"Host", "example.amazonaws.com"});
  EXPECT_EQ(SignV4(request, {}, params).status().code(), StatusCode::kUnauthenticated);
}

TEST(SigV4Test, FormatsAmzDateInUtc) {
  EXPECT_EQ(FormatAmzDate(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(std::chrono::system_clock::from_time_t(0)), "19700101T000000Z");
}

}  // namespace
}  // namespace bakeoff::aws
