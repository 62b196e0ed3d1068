// A signed client for AWS JSON protocols (Kinesis, DynamoDB, ...): POST / with
// X-Amz-Target: <prefix>.<Operation> and a JSON body, signed with SigV4, errors classified from the
// response's "__type". One HttpClient (one keep-alive connection) per AwsJsonClient.
//
// Threading: one thread at a time per client. Each call is bounded by the HttpClient timeouts.
#pragma once

#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "base/status.h"

namespace bakeoff::aws {

struct AwsJsonService {
  std::string url;            // "https://kinesis.us-east-1.amazonaws.com" or "http://127.0.0.1:4567"
  std::string region;         // signing region
  std::string signing_name;   // "kinesis"
  std::string target_prefix;  // "Kinesis_20131202"
  std::string content_type;   // "application/x-amz-json-1.1"
};

struct AwsCallResult {
  Status status;           // ok for HTTP 2xx; else classified (see ClassifyAwsError)
  long http_status = 0;    // 0 when no response arrived
  std::string error_type;  // "ProvisionedThroughputExceededException" (namespace prefix removed)
  std::string body;        // the response body (the JSON result on success)
  bool ok() const { return status.ok(); }
};

// kUnavailable for throttling and 5xx (retriable), kUnauthenticated for signature/credential errors,
// kNotFound for ResourceNotFoundException, kInvalidArgument otherwise.
StatusCode ClassifyAwsError(long http_status, std::string_view error_type);
bool IsThrottlingError(std::string_view error_type);

class AwsJsonClient {
 public:
  AwsJsonClient(AwsJsonService service, Credentials credentials, HttpClientOptions http_options);

  // Calls `operation` (e.g. "PutRecords") with `json_body`. Never throws.
  AwsCallResult Call(std::string_view operation, std::string_view json_body);

  const AwsJsonService& service() const { return service_; }

 private:
  AwsJsonService service_;
  Credentials credentials_;
  std::string host_;  // host[:port] of the URL, signed as the Host header
  HttpClient http_;
};

}  // namespace bakeoff::aws
