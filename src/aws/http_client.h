// A small synchronous HTTP client (libcurl) for JSON-over-HTTP APIs: one easy handle per HttpClient,
// reused across requests so that the connection stays alive.
//
// Threading: an HttpClient is used by one thread at a time (give each producer/consumer thread its own).
// Every request is bounded by the connect and request timeouts; nothing blocks longer.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"
#include "base/status.h"

namespace bakeoff::aws {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};
};

struct HttpResponse {
  long status = 0;  // HTTP status code
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs `body` to `url` with `headers` (Content-Type among them). Any HTTP status is a response;
  // transport failures are errors: kTimeout when a timeout passed, kUnavailable otherwise (refused,
  // reset, DNS), naming the URL and curl's reason.
  Result<HttpResponse> Post(const std::string& url, const std::vector<HttpHeader>& headers,
                            std::string_view body);
  // Any method ("GET", "PUT", "POST", "DELETE"); every method but GET sends `body`.
  Result<HttpResponse> Send(const std::string& method, const std::string& url,
                            const std::vector<HttpHeader>& headers, std::string_view body);

 private:
  HttpClientOptions options_;
  void* curl_ = nullptr;  // CURL*, kept opaque so that users need no curl headers
};

}  // namespace bakeoff::aws
