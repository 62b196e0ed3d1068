// The embedded environment: a librdkafka mock cluster (an in-process Kafka-protocol broker set on
// loopback sockets). Its data lives in memory and is bounded (about 5 MiB per partition, oldest
// segments dropped), so consumers must keep up with producers.
#include "env/embedded/embedded_provider.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/client_log.h"

namespace bakeoff {
namespace {

constexpr size_t kTopicCreateThreads = 100;

// The mock cluster logs through its handle, from its own thread: into bakeoff's client log, not stderr.
void OnMockClusterLog(const rd_kafka_t* rk, int level, const char* facility, const char* line) noexcept {
  try {
    PostClientLog("librdkafka", level, rd_kafka_name(rk), std::string(facility) + ": " + line);
  } catch (...) {
    // Out of memory: the line is lost.
  }
}

OptionSchema MakeSchema() {
  OptionSpec brokers;
  brokers.name = "brokers";
  brokers.type = OptionType::kInt;
  brokers.default_value = int64_t{3};
  brokers.help = "Number of mock brokers in the cluster.";
  brokers.min = 1;
  brokers.max = 10;
  OptionSchema s;
  s.options = {brokers};
  return s;
}

class EmbeddedEnvironment final : public Environment {
 public:
  explicit EmbeddedEnvironment(int brokers) : brokers_(brokers) {}
  ~EmbeddedEnvironment() override { (void)Destroy(); }

  std::vector<std::string> Plan() const override {
    return {"librdkafka mock cluster with " + std::to_string(brokers_) + " brokers (in-process, loopback)"};
  }

  Status Apply(std::chrono::nanoseconds /*timeout*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cluster_ != nullptr) return Status::Ok();
    // The cluster needs a handle of its own; it is never used to produce.
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    rd_kafka_conf_set(conf, "client.id", "bakeoff-embedded", errstr, sizeof(errstr));
    // Quiet the notice that this handle has no bootstrap servers: it never connects anywhere.
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
    rd_kafka_conf_set_log_cb(conf, &OnMockClusterLog);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      return Internal(std::string("embedded: cannot create the librdkafka handle: ") + errstr);
    }
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers_);
    if (cluster_ == nullptr) {
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
      return Internal("embedded: cannot start the mock cluster");
    }
    // The mock binds its listeners before returning, so the cluster is healthy from here on.
    bootstrap_servers_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    return Status::Ok();
  }

  Status Destroy() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
    cluster_ = nullptr;
    rk_ = nullptr;
    bootstrap_servers_.clear();
    return Status::Ok();
  }

  Endpoints endpoints() const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (bootstrap_servers_.empty()) return {};
    return {{"bootstrap_servers", bootstrap_servers_}};
  }

  // The mock cluster does not implement the CreateTopics request of the admin API (librdkafka 2.0.2),
  // so topics are created here, directly in the mock.
  Status PrepareTopics(const TopicLayout& layout) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cluster_ == nullptr) return Unavailable("embedded: the mock cluster is not running");
    const int replication = std::min(std::max(layout.replication_factor, 1), brokers_);
    // Each create is a round trip to the mock cluster's thread, which serves its queue only every few
    // hundred ms: one after another, 1,000 topics took minutes. From several threads at once the
    // thread serves a whole batch per wake-up.
    const size_t threads = std::min<size_t>(layout.topics.size(), kTopicCreateThreads);
    std::vector<rd_kafka_resp_err_t> errors(layout.topics.size(), RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<std::thread> creators;
    for (size_t t = 0; t < threads; ++t) {
      creators.emplace_back([&, t] {
        for (size_t i = t; i < layout.topics.size(); i += threads) {
          errors[i] =
              rd_kafka_mock_topic_create(cluster_, layout.topics[i].c_str(), layout.partitions, replication);
        }
      });
    }
    for (std::thread& creator : creators) creator.join();
    for (size_t i = 0; i < errors.size(); ++i) {
      if (errors[i] != RD_KAFKA_RESP_ERR_NO_ERROR && errors[i] != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        return Internal("embedded: cannot create topic " + layout.topics[i] + ": " +
                        rd_kafka_err2str(errors[i]));
      }
    }
    return Status::Ok();
  }

  std::map<std::string, std::string> Facts() const override {
    return {{"kind", "librdkafka mock cluster"},
            {"server", "librdkafka mock cluster (protocol mock, not Apache Kafka)"},
            {"stand_in", "librdkafka mock cluster (not Apache Kafka)"},
            {"brokers", std::to_string(brokers_)},
            {"librdkafka", rd_kafka_version_str()}};
  }

 private:
  const int brokers_;
  mutable std::mutex mu_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_servers_;
};

class EmbeddedProvider final : public Provider {
 public:
  std::string name() const override { return "embedded"; }
  std::string description() const override {
    return "In-process systems: the librdkafka mock cluster (protocol mock, not Apache Kafka; kafka driver "
           "only). For Apache Kafka itself use `environment: {provider: local}`.";
  }
  const OptionSchema& schema() const override { return schema_; }
  Status Check(const SystemSpec& system) const override {
    if (!EmbeddedProviderSupports(system.driver)) {
      return InvalidArgument(
          "embedded: system " + system.name + " uses driver " + system.driver +
          "; the embedded environment only hosts the kafka driver (use `environment: "
          "local` for a real server" +
          (system.driver == "memory" ? ", or no environment for the memory driver)" : ")"));
    }
    const int64_t brokers = system.environment.options.GetInt("brokers", 3);
    if (brokers < 1 || brokers > 10) return InvalidArgument("embedded: brokers must be within 1..10");
    // The mock cluster would quietly place fewer replicas than asked; the durability must be what the
    // file says.
    const int64_t replication = system.options.GetInt("replication_factor", 1);
    if (replication > brokers) {
      return InvalidArgument("embedded: kafka `replication_factor: " + std::to_string(replication) +
                             "` needs at least that many brokers; the environment has `brokers: " +
                             std::to_string(brokers) + "`");
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Environment>> Create(const SystemSpec& system) override {
    BAKEOFF_RETURN_IF_ERROR(Check(system));
    const int64_t brokers = system.environment.options.GetInt("brokers", 3);
    return std::unique_ptr<Environment>(new EmbeddedEnvironment(static_cast<int>(brokers)));
  }

 private:
  OptionSchema schema_ = MakeSchema();
};

}  // namespace

Provider* GetEmbeddedProvider() {
  static EmbeddedProvider provider;
  return &provider;
}

bool EmbeddedProviderSupports(const std::string& driver) {
  return driver == "kafka";
}

}  // namespace bakeoff
