// The OMB importer: bakeoff's own OMB-format files (tests/data/omb/) -> experiment text -> the parsed
// experiment. The tests parse the text with the compiled-in driver and provider schemas, as `bakeoff
// validate` does.
#include "spec/omb/omb_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run/registry_schemas.h"
#include "spec/parser.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;

std::string DataDir() {
  const char* dir = std::getenv("BAKEOFF_SOURCE_DIR");
  const fs::path source =
      dir ? fs::path(dir) : fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  return (source / "tests" / "data" / "omb").string();
}

std::string Data(const std::string& name) {
  return DataDir() + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// 1-based line of `key:` at the start of a line of `path`; 0 if absent.
int LineOfKey(const std::string& path, const std::string& key) {
  std::istringstream in(Slurp(path));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind(key + ":", 0) == 0) return n;
  }
  return 0;
}

OmbImport Import(const std::string& workload, const std::string& driver,
                 const std::string& environment = "existing", double duration_scale = 1.0,
                 double rate_scale = 1.0) {
  OmbImportOptions options;
  options.workload_path = Data(workload);
  options.driver_path = Data(driver);
  options.environment = environment;
  options.duration_scale = duration_scale;
  options.rate_scale = rate_scale;
  return ImportOmb(options);
}

std::string AllDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

Experiment Parse(const OmbImport& imported) {
  EXPECT_TRUE(imported.ok()) << AllDiagnostics(imported.diagnostics);
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(imported.yaml, "imported.yaml", schemas);
  EXPECT_TRUE(parsed.ok()) << AllDiagnostics(parsed.diagnostics) << imported.yaml;
  return parsed.experiment;
}

// Imports texts given inline (the workload file must still name a real payload file).
OmbImport ImportTexts(const std::string& workload, const std::string& driver,
                      const std::string& environment = "existing") {
  OmbImportOptions options;
  options.environment = environment;
  return ImportOmbTexts(workload, Data("inline-workload.yaml"), driver, Data("inline-driver.yaml"), options);
}

const char* kSmallWorkload =
    "topics: 1\npartitionsPerTopic: 1\nmessageSize: 256\npayloadFile: payload-256b.data\n"
    "subscriptionsPerTopic: 1\nproducersPerTopic: 1\nconsumerPerSubscription: 1\nproducerRate: 100\n"
    "testDurationMinutes: 1\n";
const char* kKafkaHead =
    "name: K\ndriverClass: io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver\n"
    "commonConfig: bootstrap.servers=127.0.0.1:9092\n";

TEST(OmbImportTest, EveryWorkloadKeyIsMappedAndNamesItsLine) {
  const OmbImport imported = Import("workload-every-key.yaml", "kafka.yaml");
  ASSERT_TRUE(imported.ok()) << AllDiagnostics(imported.diagnostics);
  const std::string workload = Data("workload-every-key.yaml");
  for (const char* key :
       {"name", "topics", "partitionsPerTopic", "messageSize", "payloadFile", "useRandomizedPayloads",
        "randomBytesRatio", "randomizedPayloadPoolSize", "subscriptionsPerTopic", "producersPerTopic",
        "consumerPerSubscription", "producerRate", "consumerBacklogSizeGB", "backlogDrainRatio",
        "keyDistributor", "testDurationMinutes", "warmupDurationMinutes"}) {
    const int line = LineOfKey(workload, key);
    ASSERT_GT(line, 0) << key << " is missing from the test file";
    const std::string where = "workload-every-key.yaml:" + std::to_string(line) + ")";
    EXPECT_NE(imported.yaml.find("OMB " + std::string(key) + ": "), std::string::npos) << key << "\n"
                                                                                       << imported.yaml;
    EXPECT_NE(imported.yaml.find(where), std::string::npos) << key << " at " << where << "\n"
                                                            << imported.yaml;
  }
}

TEST(OmbImportTest, KafkaImportParsesToTheSameWorkloadScaled) {
  const OmbImport imported = Import("workload-every-key.yaml", "kafka.yaml", "existing", 0.05, 0.5);
  const Experiment e = Parse(imported);
  EXPECT_EQ(e.name, "omb-smoke-1-topic-4-partitions");
  EXPECT_NE(e.description.find("--duration-scale 0.05"), std::string::npos) << e.description;
  EXPECT_NE(e.description.find("--rate-scale 0.5"), std::string::npos) << e.description;
  const WorkloadSpec& w = e.workload;
  EXPECT_EQ(w.topics, 1);
  EXPECT_EQ(w.partitions, 4);
  EXPECT_EQ(w.producers, 2);
  EXPECT_EQ(w.consumers, 2);
  EXPECT_EQ(w.message_size.fixed_bytes, 256);
  EXPECT_EQ(w.keys.distribution, KeySpec::Distribution::kRoundRobin);
  EXPECT_EQ(w.keys.count, 10000);
  EXPECT_FALSE(w.rate.max);
  EXPECT_DOUBLE_EQ(w.rate.msgs_per_s, 1000.0);  // 2000 x 0.5
  EXPECT_EQ(w.warmup_ns, 3'000'000'000);        // 1 min x 0.05
  EXPECT_EQ(w.duration_ns, 3'000'000'000);
  ASSERT_EQ(w.payload.kind, PayloadSpec::Kind::kFile);
  // Not in the current directory (the source tree): found beside the workload file.
  EXPECT_EQ(fs::path(w.payload.file), fs::weakly_canonical(Data("payload-256b.data")));
  ASSERT_EQ(e.systems.size(), 1u);
  const SystemSpec& s = e.systems[0];
  EXPECT_EQ(s.name, "Kafka");
  EXPECT_EQ(s.driver, "kafka");
  EXPECT_EQ(s.environment.provider, "existing");
  EXPECT_EQ(s.options.GetString("bootstrap_servers"), "127.0.0.1:9092");
  EXPECT_EQ(s.options.GetString("acks"), "all");
  EXPECT_EQ(s.options.GetInt("linger_ms"), 1);
  EXPECT_EQ(s.options.GetInt("batch_size"), 131072);
  EXPECT_EQ(s.options.GetInt("max_partition_fetch_bytes"), 10485760);
  EXPECT_EQ(s.options.GetInt("replication_factor"), 1);
  EXPECT_EQ(s.options.GetStringMap("topic_config").at("min.insync.replicas"), "1");
  // commonConfig reaches producers and consumers; Java-only and harness-owned properties reach neither.
  const auto producer = s.options.GetStringMap("producer_config");
  const auto consumer = s.options.GetStringMap("consumer_config");
  EXPECT_EQ(producer.at("metadata.max.age.ms"), "300000");
  EXPECT_EQ(consumer.at("metadata.max.age.ms"), "300000");
  EXPECT_EQ(producer.count("key.serializer"), 0u);
  EXPECT_EQ(consumer.count("enable.auto.commit"), 0u);
  EXPECT_EQ(consumer.count("auto.offset.reset"), 0u);
  EXPECT_NE(imported.yaml.find(
                "key.serializer=org.apache.kafka.common.serialization.StringSerializer (kafka.yaml:18): "
                "not applied"),
            std::string::npos)
      << imported.yaml;
  EXPECT_NE(imported.yaml.find("linger_ms: 1"), std::string::npos);
  EXPECT_NE(imported.yaml.find("# OMB producerConfig linger.ms=1 (kafka.yaml:16)"), std::string::npos)
      << imported.yaml;
}

TEST(OmbImportTest, EmbeddedAndLocalProvisionAndIgnoreTheHosts) {
  const Experiment embedded = Parse(Import("workload-every-key.yaml", "kafka.yaml", "embedded"));
  ASSERT_EQ(embedded.systems.size(), 1u);
  EXPECT_EQ(embedded.systems[0].environment.provider, "embedded");
  EXPECT_EQ(embedded.systems[0].environment.options.GetInt("brokers"), 1);  // replicationFactor 1
  EXPECT_FALSE(embedded.systems[0].options.Has("bootstrap_servers"));

  const OmbImport local = Import("workload-every-key.yaml", "redis.yaml", "local");
  const Experiment redis = Parse(local);
  EXPECT_EQ(redis.systems[0].driver, "redis-streams");
  EXPECT_EQ(redis.systems[0].environment.provider, "local");
  EXPECT_FALSE(redis.systems[0].options.Has("url"));
  EXPECT_NE(local.yaml.find("OMB redisHost: 127.0.0.1 (redis.yaml:4): ignored: --environment local"),
            std::string::npos)
      << local.yaml;
}

TEST(OmbImportTest, RedisJetStreamAndRabbitMqDriverFilesMapTheirSettings) {
  const Experiment redis = Parse(Import("workload-every-key.yaml", "redis.yaml"));
  EXPECT_EQ(redis.systems[0].options.GetString("url"), "redis://127.0.0.1:6379");
  EXPECT_EQ(redis.systems[0].environment.provider, "existing");

  const OmbImport nats_text = Import("workload-every-key.yaml", "nats-jetstream.yaml");
  const Experiment nats = Parse(nats_text);
  EXPECT_EQ(nats.systems[0].name, "NATS-JetStream");
  EXPECT_EQ(nats.systems[0].driver, "nats-jetstream");
  EXPECT_EQ(nats.systems[0].options.GetString("url"), "nats://127.0.0.1:4222");
  EXPECT_EQ(nats.systems[0].options.GetInt("replicas"), 1);
  EXPECT_EQ(nats.systems[0].options.GetString("storage"), "file");
  EXPECT_NE(nats_text.yaml.find("OMB maxBytes: -1"), std::string::npos);

  const Experiment rabbit = Parse(Import("workload-every-key.yaml", "rabbitmq.yaml"));
  EXPECT_EQ(rabbit.systems[0].driver, "rabbitmq");
  EXPECT_EQ(rabbit.systems[0].options.GetString("url"), "amqp://127.0.0.1:5672");
  EXPECT_EQ(rabbit.systems[0].options.GetString("queue_type"), "quorum");
  EXPECT_TRUE(rabbit.systems[0].options.GetBool("persistent"));

  // Memory storage: the local server must keep streams in memory too.
  const Experiment memory = Parse(
      ImportTexts(kSmallWorkload,
                  "driverClass: io.openmessaging.benchmark.driver.nats.NatsBenchmarkDriver\nstorageType: "
                  "Memory\nreplicationFactor: 3\n",
                  "local"));
  EXPECT_EQ(memory.systems[0].options.GetString("storage"), "memory");
  EXPECT_EQ(memory.systems[0].options.GetInt("replicas"), 3);
  EXPECT_EQ(memory.systems[0].environment.options.GetString("storage"), "memory");
  EXPECT_EQ(memory.systems[0].environment.options.GetInt("nodes"), 3);
}

TEST(OmbImportTest, MisspeltWorkloadKeyIsAnErrorAtItsLine) {
  const OmbImport imported = Import("workload-misspelled.yaml", "kafka.yaml");
  ASSERT_FALSE(imported.ok());
  const int line = LineOfKey(Data("workload-misspelled.yaml"), "partitionPerTopic");
  bool found = false;
  for (const Diagnostic& d : imported.diagnostics) {
    if (d.message.find("unknown key `partitionPerTopic`") == std::string::npos) continue;
    found = true;
    EXPECT_EQ(d.location.line, line);
    EXPECT_EQ(d.location.column, 1);
    EXPECT_NE(d.location.file.find("workload-misspelled.yaml"), std::string::npos);
    EXPECT_NE(d.suggestion.find("partitionsPerTopic"), std::string::npos) << d.ToString();
  }
  EXPECT_TRUE(found) << AllDiagnostics(imported.diagnostics);
}

TEST(OmbImportTest, MisspeltDriverKeyAndBadPropertyNameTheirLines) {
  const OmbImport typo = ImportTexts(kSmallWorkload, std::string(kKafkaHead) + "replicationFactr: 3\n");
  ASSERT_EQ(typo.diagnostics.size(), 1u) << AllDiagnostics(typo.diagnostics);
  EXPECT_EQ(typo.diagnostics[0].location.line, 4);
  EXPECT_NE(typo.diagnostics[0].suggestion.find("replicationFactor"), std::string::npos);

  const OmbImport bad = ImportTexts(
      kSmallWorkload, std::string(kKafkaHead) + "producerConfig: |\n  acks=all\n  linger.ms=soon\n");
  ASSERT_EQ(bad.diagnostics.size(), 1u) << AllDiagnostics(bad.diagnostics);
  EXPECT_EQ(bad.diagnostics[0].location.line, 6);
  EXPECT_EQ(bad.diagnostics[0].location.column, 3);
  EXPECT_NE(bad.diagnostics[0].message.find("linger.ms"), std::string::npos);

  const OmbImport secret = ImportTexts(
      kSmallWorkload,
      std::string(kKafkaHead) + "producerConfig: |\n  sasl.jaas.config=org.x required password=\"p\";\n");
  ASSERT_EQ(secret.diagnostics.size(), 1u) << AllDiagnostics(secret.diagnostics);
  EXPECT_NE(secret.diagnostics[0].message.find("secret"), std::string::npos);
  EXPECT_EQ(secret.diagnostics[0].location.line, 5);
}

TEST(OmbImportTest, PulsarDriverIsAClearError) {
  const OmbImport imported = Import("workload-every-key.yaml", "pulsar.yaml");
  ASSERT_EQ(imported.diagnostics.size(), 1u) << AllDiagnostics(imported.diagnostics);
  const Diagnostic& d = imported.diagnostics[0];
  EXPECT_NE(d.message.find("`pulsar`"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("no bakeoff equivalent"), std::string::npos) << d.message;
  EXPECT_EQ(d.location.line, LineOfKey(Data("pulsar.yaml"), "driverClass"));
}

TEST(OmbImportTest, PayloadFileMustExistAndHoldMessageSizeBytes) {
  std::string workload = kSmallWorkload;
  workload.replace(workload.find("messageSize: 256"), 16, "messageSize: 100");
  const OmbImport wrong_size = ImportTexts(workload, kKafkaHead);
  ASSERT_EQ(wrong_size.diagnostics.size(), 1u) << AllDiagnostics(wrong_size.diagnostics);
  EXPECT_EQ(wrong_size.diagnostics[0].location.line, 4);
  EXPECT_NE(wrong_size.diagnostics[0].message.find("holds 256 bytes but messageSize is 100"),
            std::string::npos)
      << wrong_size.diagnostics[0].message;

  std::string missing = kSmallWorkload;
  missing.replace(missing.find("payload-256b.data"), 17, "no-such.data");
  const OmbImport absent = ImportTexts(missing, kKafkaHead);
  ASSERT_EQ(absent.diagnostics.size(), 1u);
  EXPECT_NE(absent.diagnostics[0].message.find("then " + (fs::path(DataDir()) / "no-such.data").string()),
            std::string::npos)
      << absent.diagnostics[0].message;
}

TEST(OmbImportTest, RequiredKeysOptionsAndSecretsAreChecked) {
  std::string no_rate = kSmallWorkload;
  no_rate.erase(no_rate.find("producerRate: 100\n"), 18);
  const OmbImport missing = ImportTexts(no_rate, kKafkaHead);
  ASSERT_EQ(missing.diagnostics.size(), 1u) << AllDiagnostics(missing.diagnostics);
  EXPECT_NE(missing.diagnostics[0].message.find("missing required key `producerRate`"), std::string::npos);

  const std::string redis =
      "driverClass: io.openmessaging.benchmark.driver.redis.RedisBenchmarkDriver\nredisHost: h\n";
  EXPECT_FALSE(ImportTexts(kSmallWorkload, redis + "redisPass: hunter2\n").ok());
  const Experiment with_ref =
      Parse(ImportTexts(kSmallWorkload, redis + "redisPass: ${env:REDIS_PASSWORD}\n"));
  EXPECT_EQ(with_ref.systems[0].options.GetString("password"), "${env:REDIS_PASSWORD}");
  const OmbImport embedded = ImportTexts(kSmallWorkload, redis, "embedded");
  ASSERT_FALSE(embedded.ok());
  EXPECT_NE(embedded.diagnostics[0].message.find("only for Kafka"), std::string::npos);
  EXPECT_FALSE(ImportTexts(kSmallWorkload,
                           "driverClass: io.openmessaging.benchmark.driver.redis.RedisBenchmarkDriver\n")
                   .ok())
      << "existing needs a host";

  OmbImportOptions options;
  options.duration_scale = 0;
  EXPECT_FALSE(ImportOmbTexts(kSmallWorkload, "w.yaml", kKafkaHead, "d.yaml", options).ok());
}

// producerRate 0 is a find_max search (no duration: the search lasts its steps), with fan-out,
// producers per topic and a payload pool; the text parses as `bakeoff validate` parses it.
TEST(OmbImportTest, FindMaxFanOutAndPayloadPoolParse) {
  const OmbImport imported = Import("workload-find-max.yaml", "kafka.yaml", "existing", 0.5, 2.0);
  ASSERT_TRUE(imported.ok()) << AllDiagnostics(imported.diagnostics);
  const std::string& text = imported.yaml;
  for (const char* line :
       {"  topics: 2 ", "  partitions: 2 ", "  producers_per_topic: 2 ", "  subscriptions: 2 ",
        "  consumers: 2 ", "  message_size: 1024B ", "  payload: {pool: 1000, random_bytes_ratio: 0.5} ",
        "  keys: {distribution: random, count: 10000} ",
        "  rate: {find_max: {p99_e2e: \"< 10s\", start: 20000/s, step_duration: 5s, within: 5%}} ",
        "  warmup: 30s "}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing `" << line << "` in\n" << text;
  }
  EXPECT_EQ(text.find("  duration: "), std::string::npos) << text;
  const Experiment e = Parse(imported);
  const WorkloadSpec& w = e.workload;
  ASSERT_TRUE(w.rate.find_max.has_value());
  EXPECT_DOUBLE_EQ(w.rate.find_max->start_msgs_per_s, 20'000);
  EXPECT_EQ(w.rate.find_max->step_duration_ns, 5'000'000'000);
  EXPECT_EQ(w.rate.find_max->p99_e2e_bound_ns, 10'000'000'000);
  EXPECT_EQ(w.producers_per_topic, 2);
  EXPECT_EQ(w.producers, 4);
  EXPECT_EQ(w.subscriptions, 2);
  EXPECT_EQ(w.consumers, 2);
  EXPECT_EQ(w.payload.kind, PayloadSpec::Kind::kPool);
  EXPECT_EQ(w.payload.pool.count, 1000);
  EXPECT_DOUBLE_EQ(w.payload.pool.random_bytes_ratio, 0.5);
}

// consumerBacklogSizeGB + backlogDrainRatio are a backlog phase; --duration-scale scales its size.
TEST(OmbImportTest, BacklogParsesScaledWithTheDurations) {
  const OmbImport imported = Import("workload-backlog.yaml", "redis.yaml", "local", 0.001);
  ASSERT_TRUE(imported.ok()) << AllDiagnostics(imported.diagnostics);
  EXPECT_NE(imported.yaml.find("  backlog: {size: 1073742B, drain_ratio: 0.9} "), std::string::npos)
      << imported.yaml;
  const Experiment e = Parse(imported);
  ASSERT_TRUE(e.workload.backlog.has_value());
  EXPECT_EQ(e.workload.backlog->messages, 1073742 / 256);
  EXPECT_DOUBLE_EQ(e.workload.backlog->drain_ratio, 0.9);
  EXPECT_DOUBLE_EQ(e.workload.rate.msgs_per_s, 2000);
  ASSERT_EQ(e.workload.payload.kind, PayloadSpec::Kind::kFile);

  const OmbImport unscaled = Import("workload-backlog.yaml", "redis.yaml", "local");
  EXPECT_NE(unscaled.yaml.find("  backlog: {size: 1GiB, drain_ratio: 0.9} "), std::string::npos)
      << unscaled.yaml;
}

// A backlog is built at a fixed rate: producerRate 0 with a backlog is an error at the backlog's line.
TEST(OmbImportTest, BacklogWithProducerRateZeroIsAnErrorAtItsLine) {
  OmbImportOptions options;
  const std::string workload = std::string(kSmallWorkload) + "consumerBacklogSizeGB: 1\n";
  std::string zero = workload;
  zero.replace(zero.find("producerRate: 100"), 17, "producerRate: 0");
  const OmbImport imported =
      ImportOmbTexts(zero, Data("inline-workload.yaml"), kKafkaHead, Data("inline-driver.yaml"), options);
  ASSERT_FALSE(imported.ok());
  const std::string all = AllDiagnostics(imported.diagnostics);
  EXPECT_NE(all.find("inline-workload.yaml:10:1"), std::string::npos) << all;
  EXPECT_NE(all.find("producerRate"), std::string::npos) << all;
}

}  // namespace
}  // namespace bakeoff
