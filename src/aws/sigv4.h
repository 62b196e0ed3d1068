// AWS Signature Version 4: signs an HTTP request with an access key so that AWS services (and local
// stand-ins such as kinesalite and s3rver) accept it. Header-based signing only (the Authorization
// header), as the Kinesis JSON API and S3 use it.
//
// Specification: "Create a signed AWS API request" (AWS IAM user guide) and the aws-sig-v4-test-suite
// vectors in tests/data/aws/sigv4/, which sigv4_test.cc checks. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "base/status.h"

namespace bakeoff::aws {

struct HttpHeader {
  std::string name;
  std::string value;
};

// The parts of a request that are signed. Every header in `headers` is signed; `host` must be among
// them (HTTP/1.1 sends it anyway). Headers the transport adds on its own (Accept, User-Agent, ...) stay
// unsigned, which AWS allows.
struct SignableRequest {
  std::string method;               // "GET", "POST"
  std::string path = "/";           // as sent on the wire (may contain %XX), without the query
  std::string query;                // as sent on the wire, without '?'; "" for none
  std::vector<HttpHeader> headers;  // duplicates allowed (joined with ',' as AWS specifies)
  std::string_view payload;         // the body; hashed into the canonical request
};

struct SigningParams {
  std::string region;                          // "us-east-1"
  std::string service;                         // "kinesis", "s3"
  std::chrono::system_clock::time_point time;  // the request time (X-Amz-Date)
  // Every service but S3: remove "." and ".." segments and repeated slashes, then URI-encode the path
  // (which double-encodes a path that was percent-encoded on the wire). S3: neither; set both false.
  bool normalize_path = true;
  bool encode_path = true;
  // Adds and signs X-Amz-Content-Sha256 with the payload hash (S3 requires it; others accept it).
  bool add_content_sha256_header = false;
};

struct SignedHeaders {
  std::string canonical_request;  // intermediate results, for tests and debugging (no secrets)
  std::string string_to_sign;
  std::string signature;  // lower-case hex
  // Headers to add to the request as sent: X-Amz-Date, X-Amz-Security-Token (with a session token),
  // X-Amz-Content-Sha256 (if asked), Authorization.
  std::vector<HttpHeader> headers;
};

// "20150830T123600Z" for `time` in UTC.
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// The canonical path (`/` for an empty path) of `path` as SigV4 defines it.
std::string CanonicalUri(std::string_view path, bool normalize, bool encode);
// Query parameters decoded, re-encoded and sorted by name, then value.
std::string CanonicalQueryString(std::string_view query);

// Signs `request`. Fails only on unusable input (no credentials, no host header).
Result<SignedHeaders> SignV4(const SignableRequest& request, const Credentials& credentials,
                             const SigningParams& params);

// kSecret -> date -> region -> service -> "aws4_request": the raw 32-byte signing key.
std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date_yyyymmdd,
                             std::string_view region, std::string_view service);

}  // namespace bakeoff::aws
