#include "aws/json_client.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

namespace bakeoff::aws {
namespace {

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void ParseError(AwsCallResult& result) {
  nlohmann::json doc = nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
  std::string message;
  if (doc.is_object()) {
    if (auto it = doc.find("__type"); it != doc.end() && it->is_string())
      result.error_type = it->get<std::string>();
    for (const char* key : {"message", "Message"}) {
      if (auto it = doc.find(key); it != doc.end() && it->is_string()) message = it->get<std::string>();
    }
  }
  if (const size_t hash = result.error_type.rfind('#'); hash != std::string::npos) {
    result.error_type.erase(0, hash + 1);
  }
  if (message.empty() && result.error_type.empty()) message = result.body.substr(0, 200);
  result.status = Status(ClassifyAwsError(result.http_status, result.error_type),
                         "HTTP " + std::to_string(result.http_status) + " " + result.error_type +
                             (message.empty() ? "" : ": " + message));
}

}  // namespace

bool IsThrottlingError(std::string_view type) {
  return type == "ProvisionedThroughputExceededException" || type == "LimitExceededException" ||
         type == "ThrottlingException" || type == "KMSThrottlingException" || type == "RequestLimitExceeded";
}

StatusCode ClassifyAwsError(long http_status, std::string_view type) {
  if (IsThrottlingError(type) || http_status >= 500) return StatusCode::kUnavailable;
  if (type == "ResourceNotFoundException") return StatusCode::kNotFound;
  if (http_status == 401 || http_status == 403 || type == "UnrecognizedClientException" ||
      type == "InvalidSignatureException" || type == "MissingAuthenticationTokenException" ||
      type == "AccessDeniedException" || type == "ExpiredTokenException") {
    return StatusCode::kUnauthenticated;
  }
  return StatusCode::kInvalidArgument;
}

AwsJsonClient::AwsJsonClient(AwsJsonService service, Credentials credentials, HttpClientOptions http_options)
    : service_(std::move(service)),
      credentials_(std::move(credentials)),
      host_(HostOf(service_.url)),
      http_(http_options) {}

AwsCallResult AwsJsonClient::Call(std::string_view operation, std::string_view json_body) {
  AwsCallResult result;
  SignableRequest request;
  request.method = "POST";
  request.path = "/";
  request.payload = json_body;
  request.headers = {{"Host", host_},
                     {"Content-Type", service_.content_type},
                     {"X-Amz-Target", service_.target_prefix + "." + std::string(operation)}};
  SigningParams params{
      .region = service_.region, .service = service_.signing_name, .time = std::chrono::system_clock::now()};
  Result<SignedHeaders> signed_headers = SignV4(request, credentials_, params);
  if (!signed_headers.ok()) {
    result.status = signed_headers.status();
    return result;
  }
  std::vector<HttpHeader> headers = std::move(request.headers);
  for (HttpHeader& h : signed_headers->headers) headers.push_back(std::move(h));
  std::string url = service_.url;
  if (url.empty() || url.back() != '/') url.push_back('/');
  Result<HttpResponse> response = http_.Post(url, headers, json_body);
  if (!response.ok()) {
    result.status = response.status();
    return result;
  }
  result.http_status = response->status;
  result.body = std::move(response->body);
  if (result.http_status < 200 || result.http_status >= 300) ParseError(result);
  return result;
}

}  // namespace bakeoff::aws
