#include "drivers/kinesis/kinesis_config.h"

#include "spec/secrets.h"

namespace bakeoff::kinesis {
namespace {

OptionSpec Str(std::string name, std::string help, bool secret = false) {
  return {.name = std::move(name),
          .type = OptionType::kString,
          .optional = true,
          .help = std::move(help),
          .secret = secret};
}
OptionSpec Int(std::string name, int64_t value, double min, double max, std::string help) {
  return {.name = std::move(name),
          .type = OptionType::kInt,
          .default_value = value,
          .help = std::move(help),
          .min = min,
          .max = max};
}
OptionSpec Duration(std::string name, int64_t value_ns, double min_s, double max_s, std::string help) {
  return {.name = std::move(name),
          .type = OptionType::kDuration,
          .default_value = value_ns,
          .help = std::move(help),
          .min = min_s,
          .max = max_s};
}

OptionSchema MakeSchema() {
  OptionSchema s;
  s.options = {
      Str("url",
          "Endpoint URL (e.g. https://kinesis.eu-west-1.amazonaws.com). Default: the environment's "
          "endpoint, else the regional AWS endpoint."),
      Str("region",
          "Signing region. Default: the environment's, else AWS_REGION / AWS_DEFAULT_REGION, else "
          "us-east-1."),
      Str("access_key_id", "Access key id, e.g. \"${env:MY_KEY_ID}\". Default: AWS_ACCESS_KEY_ID.", true),
      Str("secret_access_key",
          "Secret access key as a reference, e.g. \"${env:MY_SECRET}\". Default: "
          "AWS_SECRET_ACCESS_KEY.",
          true),
      Str("session_token", "Session token of temporary credentials. Default: AWS_SESSION_TOKEN.", true),
      Int("batch_max_records", kMaxRecordsPerPut, 1, kMaxRecordsPerPut, "Records per PutRecords request."),
      {.name = "batch_max_bytes",
       .type = OptionType::kBytes,
       .default_value = int64_t{4 * 1024 * 1024},
       .help = "Data and partition-key bytes per PutRecords request (the API allows 5 MiB).",
       .min = 1024,
       .max = static_cast<double>(kMaxBytesPerPut)},
      Int("linger_ms", 5, 0, 60'000, "How long a batch may wait for more records before it is sent."),
      Int("max_queued_batches", 8, 1, 4096,
          "Sealed batches waiting for the sender thread; beyond it Send reports a full queue."),
      Int("max_retries", 5, 0, 100,
          "Retries of a failed request or of throttled records (ProvisionedThroughputExceeded), with "
          "exponential backoff; then the records are reported failed. Retried records may land after later "
          "ones of their shard (PutRecords semantics): the accounting shows it."),
      Int("retry_backoff_ms", 50, 1, 60'000, "First retry backoff; doubles per attempt up to 20x."),
      Int("records_limit", 10'000, 1, 10'000, "Limit of each GetRecords call."),
      Int("poll_interval_ms", 50, 0, 60'000,
          "Pause before polling a shard again after an empty GetRecords (AWS allows 5 GetRecords per "
          "second per shard: 200 there)."),
      Duration("connect_timeout", 2'000'000'000, 0.01, 600, "TCP/TLS connect timeout of each request."),
      Duration("request_timeout", 10'000'000'000, 0.1, 600, "Timeout of each HTTP request as a whole."),
      Duration("stream_active_timeout", 60'000'000'000, 1, 3600,
               "How long CreateTopics waits for a new stream to become ACTIVE."),
      {.name = "partition_key",
       .type = OptionType::kString,
       .default_value = std::string("bakeoff"),
       .help = "PartitionKey of records when the workload has no keys (the shard is chosen by "
               "ExplicitHashKey either way)."},
  };
  return s;
}

Result<std::string> Resolved(const OptionValues& options, const std::string& name) {
  const std::string text = options.GetString(name);
  if (text.empty()) return text;
  Result<std::string> value = ResolveSecretReferences(text);
  if (!value.ok())
    return Status(value.status().code(), "kinesis: option " + name + ": " + value.status().message());
  return value;
}

bool IsLoopback(const std::string& url) {
  for (const char* host : {"://127.0.0.1", "://localhost", "://[::1]"}) {
    if (url.find(host) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

const OptionSchema& KinesisOptionSchema() {
  static const OptionSchema schema = MakeSchema();
  return schema;
}

std::string StreamNameFor(const std::string& topic) {
  std::string name = topic.substr(0, 128);
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return name.empty() ? "bakeoff" : name;
}

Result<KinesisSettings> BuildKinesisSettings(const OptionValues& options, const Endpoints& endpoints) {
  KinesisSettings s;
  auto endpoint = [&](const char* key) {
    auto it = endpoints.find(key);
    return it == endpoints.end() ? std::string() : it->second;
  };
  std::string region = options.GetString("region");
  if (region.empty()) region = endpoint("region");
  s.service.region = aws::ResolveRegion(region, "us-east-1");
  s.service.url = options.GetString("url");
  if (s.service.url.empty()) s.service.url = endpoint("url");
  if (s.service.url.empty()) s.service.url = "https://kinesis." + s.service.region + ".amazonaws.com";
  s.service.signing_name = "kinesis";
  s.service.target_prefix = kTargetPrefix;
  s.service.content_type = kContentType;

  aws::CredentialInputs inputs;
  for (auto [name, field] : {std::pair{"access_key_id", &inputs.access_key_id},
                             std::pair{"secret_access_key", &inputs.secret_access_key},
                             std::pair{"session_token", &inputs.session_token}}) {
    Result<std::string> value = Resolved(options, name);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  Result<aws::Credentials> credentials = aws::ResolveCredentials(inputs);
  if (credentials.ok()) {
    s.credentials = *credentials;
  } else if (IsLoopback(s.service.url)) {
    // A local stand-in (kinesalite) checks that requests are signed, not by whom.
    s.credentials = {"bakeoff-local", "bakeoff-local", ""};
    s.placeholder_credentials = true;
  } else {
    return credentials.status();
  }

  s.http.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      options.GetDuration("connect_timeout", std::chrono::seconds(2)));
  s.http.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      options.GetDuration("request_timeout", std::chrono::seconds(10)));
  s.batch_max_records = static_cast<int>(options.GetInt("batch_max_records", kMaxRecordsPerPut));
  s.batch_max_bytes = options.GetInt("batch_max_bytes", 4 * 1024 * 1024);
  s.linger = std::chrono::milliseconds(options.GetInt("linger_ms", 5));
  s.max_queued_batches = static_cast<int>(options.GetInt("max_queued_batches", 8));
  s.max_retries = static_cast<int>(options.GetInt("max_retries", 5));
  s.retry_backoff = std::chrono::milliseconds(options.GetInt("retry_backoff_ms", 50));
  s.records_limit = static_cast<int>(options.GetInt("records_limit", 10'000));
  s.poll_interval = std::chrono::milliseconds(options.GetInt("poll_interval_ms", 50));
  s.stream_active_timeout = options.GetDuration("stream_active_timeout", std::chrono::seconds(60));
  s.default_partition_key = options.GetString("partition_key", "bakeoff");
  if (s.default_partition_key.empty()) return InvalidArgument("kinesis: partition_key must not be empty");
  return s;
}

}  // namespace bakeoff::kinesis
