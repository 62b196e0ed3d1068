// The S3 results store: result directories uploaded under s3://bucket/prefix/<id>/ (path-style
// requests signed with the project's SigV4, payload hashed), listed with ListObjectsV2 and fetched
// back. Credentials come from the standard AWS environment variables; the endpoint from the
// experiment file's `output.endpoint`, else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS itself.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "base/status.h"

namespace bakeoff {

struct S3Location {
  std::string bucket;
  std::string prefix;  // without leading or trailing '/'; may be empty
};

bool IsS3Url(const std::string& text);
// "s3://bucket" or "s3://bucket/some/prefix/".
Result<S3Location> ParseS3Url(const std::string& url);

struct S3Options {
  std::string
      endpoint;        // empty: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else https://s3.<region>.amazonaws.com
  std::string region;  // empty: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1
};

class S3Store {
 public:
  // Fails (Unauthenticated) when no credentials are in the environment.
  static Result<std::unique_ptr<S3Store>> Create(const S3Options& options);

  // HTTP errors become statuses: 403 with a signature or key error is Unauthenticated and says so.
  Status Put(const S3Location& bucket, const std::string& key, const std::string& body,
             const std::string& content_type);
  Result<std::string> Get(const S3Location& bucket, const std::string& key);
  // Keys under `prefix` (all pages), and with `delimiter` "/" the common prefixes instead.
  Result<std::vector<std::string>> List(const S3Location& bucket, const std::string& prefix,
                                        bool common_prefixes);

  const std::string& endpoint() const { return endpoint_; }

 private:
  S3Store() = default;
  Result<aws::HttpResponse> Request(const std::string& method, const std::string& bucket,
                                    const std::string& key, const std::string& query, const std::string& body,
                                    const std::string& content_type);
  std::string endpoint_;
  std::string host_;
  std::string region_;
  aws::Credentials credentials_;
  std::unique_ptr<aws::HttpClient> http_;
};

// Uploads result.json, report.html, results.csv, omb-result.json, hlog/* and omb/* of `local_dir` to
// <location>/<id>/, where id is the directory's name. Returns the URL of the uploaded result.
Result<std::string> UploadResultDir(S3Store& store, const S3Location& location, const std::string& local_dir);

// The ids (result directories) stored under `location`.
Result<std::vector<std::string>> ListStoredResults(S3Store& store, const S3Location& location);

// Downloads every object under `result` (s3://bucket/prefix/ID) into `local_dir`; returns the count.
Result<int> FetchResult(S3Store& store, const S3Location& result, const std::string& local_dir);

}  // namespace bakeoff
