// Options of the kinesis driver and the settings a session derives from them and from the environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/json_client.h"
#include "drivers/driver.h"
#include "spec/option_binding.h"
#include "spec/option_schema.h"

namespace bakeoff::kinesis {

inline constexpr char kTargetPrefix[] = "Kinesis_20131202";
inline constexpr char kContentType[] = "application/x-amz-json-1.1";
inline constexpr int kMaxRecordsPerPut = 500;                // PutRecords limit
inline constexpr int64_t kMaxBytesPerPut = 5 * 1024 * 1024;  // PutRecords limit (data + partition keys)

// The options as given (bound once, spec/option_binding.h); BuildKinesisSettings derives the rest.
struct KinesisOptions {
  std::optional<std::string> url;
  std::optional<std::string> region;
  std::optional<std::string> access_key_id;      // secret reference
  std::optional<std::string> secret_access_key;  // secret reference
  std::optional<std::string> session_token;      // secret reference
  int batch_max_records = 0;
  int64_t batch_max_bytes = 0;
  int64_t linger_ms = 0;
  int max_queued_batches = 0;
  int max_retries = 0;
  int64_t retry_backoff_ms = 0;
  int records_limit = 0;
  int64_t poll_interval_ms = 0;
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds request_timeout{};
  std::chrono::nanoseconds stream_active_timeout{};
  std::string partition_key;
};

const OptionBinder<KinesisOptions>& KinesisOptionBinder();
inline const OptionSchema& KinesisOptionSchema() {
  return KinesisOptionBinder().schema();
}

struct KinesisSettings {
  aws::AwsJsonService service;           // url, region, signing name, target prefix, content type
  aws::Credentials credentials;          // never logged
  bool placeholder_credentials = false;  // loopback endpoint without credentials (kinesalite ignores them)
  aws::HttpClientOptions http;
  int batch_max_records = kMaxRecordsPerPut;
  int64_t batch_max_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds linger{5};
  int max_queued_batches = 8;
  int max_retries = 5;
  std::chrono::milliseconds retry_backoff{50};
  int records_limit = 10000;
  std::chrono::milliseconds poll_interval{50};
  std::chrono::nanoseconds stream_active_timeout{std::chrono::seconds(60)};
  std::string default_partition_key = "bakeoff";
};

// Options win over the environment's endpoints ("url", "region"), which win over AWS_* variables.
// Secret references ("${env:NAME}") are resolved here, at connect time.
Result<KinesisSettings> BuildKinesisSettings(const OptionValues& options, const Endpoints& endpoints);

// Kinesis stream names allow [a-zA-Z0-9_.-]{1,128}; other characters become '-'.
std::string StreamNameFor(const std::string& topic);

}  // namespace bakeoff::kinesis
