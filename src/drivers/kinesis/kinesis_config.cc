#include "drivers/kinesis/kinesis_config.h"

#include <tuple>

#include "spec/secrets.h"

namespace bakeoff::kinesis {
namespace {

using namespace std::chrono_literals;

void Declare(OptionBinder<KinesisOptions>& b) {
  using S = KinesisOptions;
  b.String("url", &S::url)
      .Help(
          "Endpoint URL (e.g. https://kinesis.eu-west-1.amazonaws.com). Default: the environment's "
          "endpoint, else the regional AWS endpoint.");
  b.String("region", &S::region)
      .Help(
          "Signing region. Default: the environment's, else AWS_REGION / AWS_DEFAULT_REGION, else "
          "us-east-1.");
  b.String("access_key_id", &S::access_key_id)
      .Secret()
      .Help("Access key id, e.g. \"${env:MY_KEY_ID}\". Default: AWS_ACCESS_KEY_ID.");
  b.String("secret_access_key", &S::secret_access_key)
      .Secret()
      .Help("Secret access key as a reference, e.g. \"${env:MY_SECRET}\". Default: AWS_SECRET_ACCESS_KEY.");
  b.String("session_token", &S::session_token)
      .Secret()
      .Help("Session token of temporary credentials. Default: AWS_SESSION_TOKEN.");
  b.Int("batch_max_records", &S::batch_max_records)
      .Default(kMaxRecordsPerPut)
      .Range(1, kMaxRecordsPerPut)
      .Help("Records per PutRecords request.");
  b.Bytes("batch_max_bytes", &S::batch_max_bytes)
      .Default(4 * 1024 * 1024)
      .Range(1024, kMaxBytesPerPut)
      .Help("Data and partition-key bytes per PutRecords request (the API allows 5 MiB).");
  b.Int("linger_ms", &S::linger_ms)
      .Default(5)
      .Range(0, 60'000)
      .Help("How long a batch may wait for more records before it is sent.");
  b.Int("max_queued_batches", &S::max_queued_batches)
      .Default(8)
      .Range(1, 4096)
      .Help("Sealed batches waiting for the sender thread; beyond it Send reports a full queue.");
  b.Int("max_retries", &S::max_retries)
      .Default(5)
      .Range(0, 100)
      .Help(
          "Retries of a failed request or of throttled records (ProvisionedThroughputExceeded), with "
          "exponential backoff; then the records are reported failed. Retried records may land after later "
          "ones of their shard (PutRecords semantics): the accounting shows it.");
  b.Int("retry_backoff_ms", &S::retry_backoff_ms)
      .Default(50)
      .Range(1, 60'000)
      .Help("First retry backoff; doubles per attempt up to 20x.");
  b.Int("records_limit", &S::records_limit)
      .Default(10'000)
      .Range(1, 10'000)
      .Help("Limit of each GetRecords call.");
  b.Int("poll_interval_ms", &S::poll_interval_ms)
      .Default(50)
      .Range(0, 60'000)
      .Help(
          "Pause before polling a shard again after an empty GetRecords (AWS allows 5 GetRecords per "
          "second per shard: 200 there).");
  b.Duration("connect_timeout", &S::connect_timeout)
      .Default(2s)
      .Range(10ms, 600s)
      .Help("TCP/TLS connect timeout of each request.");
  b.Duration("request_timeout", &S::request_timeout)
      .Default(10s)
      .Range(100ms, 600s)
      .Help("Timeout of each HTTP request as a whole.");
  b.Duration("stream_active_timeout", &S::stream_active_timeout)
      .Default(60s)
      .Range(1s, 3600s)
      .Help("How long CreateTopics waits for a new stream to become ACTIVE.");
  b.String("partition_key", &S::partition_key)
      .Default("bakeoff")
      .Help(
          "PartitionKey of records when the workload has no keys (the shard is chosen by ExplicitHashKey "
          "either way).");
}

Result<std::string> Resolved(const std::optional<std::string>& option, const std::string& name) {
  const std::string text = option.value_or("");
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

const OptionBinder<KinesisOptions>& KinesisOptionBinder() {
  static const OptionBinder<KinesisOptions>* binder = [] {
    auto* b = new OptionBinder<KinesisOptions>();
    Declare(*b);
    return b;
  }();
  return *binder;
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
  Result<KinesisOptions> bound = KinesisOptionBinder().Bind(options);
  if (!bound.ok()) return bound.status();
  const KinesisOptions& o = *bound;
  KinesisSettings s;
  auto endpoint = [&](const char* key) {
    auto it = endpoints.find(key);
    return it == endpoints.end() ? std::string() : it->second;
  };
  std::string region = o.region.value_or("");
  if (region.empty()) region = endpoint("region");
  s.service.region = aws::ResolveRegion(region, "us-east-1");
  s.service.url = o.url.value_or("");
  if (s.service.url.empty()) s.service.url = endpoint("url");
  if (s.service.url.empty()) s.service.url = "https://kinesis." + s.service.region + ".amazonaws.com";
  s.service.signing_name = "kinesis";
  s.service.target_prefix = kTargetPrefix;
  s.service.content_type = kContentType;

  aws::CredentialInputs inputs;
  for (auto [name, option, field] :
       {std::tuple{"access_key_id", &o.access_key_id, &inputs.access_key_id},
        std::tuple{"secret_access_key", &o.secret_access_key, &inputs.secret_access_key},
        std::tuple{"session_token", &o.session_token, &inputs.session_token}}) {
    Result<std::string> value = Resolved(*option, name);
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

  s.http.connect_timeout = o.connect_timeout;
  s.http.request_timeout = o.request_timeout;
  s.batch_max_records = o.batch_max_records;
  s.batch_max_bytes = o.batch_max_bytes;
  s.linger = std::chrono::milliseconds(o.linger_ms);
  s.max_queued_batches = o.max_queued_batches;
  s.max_retries = o.max_retries;
  s.retry_backoff = std::chrono::milliseconds(o.retry_backoff_ms);
  s.records_limit = o.records_limit;
  s.poll_interval = std::chrono::milliseconds(o.poll_interval_ms);
  s.stream_active_timeout = o.stream_active_timeout;
  s.default_partition_key = o.partition_key;
  if (s.default_partition_key.empty()) return InvalidArgument("kinesis: partition_key must not be empty");
  return s;
}

}  // namespace bakeoff::kinesis
