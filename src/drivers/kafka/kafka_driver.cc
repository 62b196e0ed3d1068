// The kafka driver: Kafka-protocol systems (Apache Kafka, Redpanda, MSK, Event Hubs, Confluent Cloud,
// the librdkafka mock cluster) through librdkafka. Options: kafka_config.cc; clients: kafka_producer.cc
// and kafka_consumer.cc. This file holds the driver and the session (topic administration, facts).
#include "drivers/kafka/kafka_driver.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "drivers/kafka/kafka_clients.h"
#include "drivers/kafka/kafka_config.h"

namespace bakeoff {
namespace {

constexpr std::chrono::seconds kAdminTimeout(30);

// Runs one admin request and returns its result event (caller destroys), or nullptr on timeout.
template <typename Request>
rd_kafka_event_t* RunAdmin(rd_kafka_t* admin, rd_kafka_admin_op_t op, Request&& request,
                           std::chrono::milliseconds timeout = kAdminTimeout) {
  char errstr[256];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(admin, op);
  const int timeout_ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr, sizeof(errstr));
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, errstr, sizeof(errstr));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin);
  request(options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout_ms + 5000);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  return event;
}

std::string FactOr(const std::map<std::string, std::string>& facts, const std::string& key,
                   const std::string& otherwise) {
  auto it = facts.find(key);
  return it == facts.end() ? otherwise : it->second;
}

}  // namespace

std::string KafkaGuarantee(const std::map<std::string, std::string>& facts) {
  const std::string acks = FactOr(facts, "producer.acks", "all");
  const std::string rf = FactOr(facts, "topic.replication_factor", "unknown");
  if (acks == "0") return "at-most-once (acks 0: the producer does not wait for the broker)";
  if (acks == "1") return "at-least-once, acked by the leader only (replication factor " + rf + ")";
  std::string text = "at-least-once, acked by all in-sync replicas (replication factor " + rf;
  const std::string min_isr = FactOr(facts, "topic.min.insync.replicas", "");
  if (!min_isr.empty()) text += ", min.insync.replicas " + min_isr;
  return text + ")";
}

namespace {

class KafkaSession final : public Session {
 public:
  KafkaSession(const SessionContext& context)
      : options_(context.system->options), mock_cluster_(context.system->environment.provider == "embedded") {
    endpoints_ = context.endpoints;
    group_id_ = "bakeoff-" + context.run_id;
    if (context.workload != nullptr) subscriptions_ = std::max(1, context.workload->subscriptions);
  }

  ~KafkaSession() override {
    if (admin_ != nullptr) rd_kafka_destroy(admin_);
  }

  Status Init() {
    Result<KafkaSettings> settings = KafkaOptions().Bind(options_);
    if (!settings.ok()) return settings.status();
    settings_ = std::move(settings).value();
    Result<KafkaProperties> producer =
        BuildKafkaProperties(options_, endpoints_, KafkaClientRole::kProducer, group_id_);
    if (!producer.ok()) return producer.status();
    Result<KafkaProperties> consumer =
        BuildKafkaProperties(options_, endpoints_, KafkaClientRole::kConsumer, group_id_);
    if (!consumer.ok()) return consumer.status();
    Result<KafkaProperties> admin =
        BuildKafkaProperties(options_, endpoints_, KafkaClientRole::kAdmin, group_id_);
    if (!admin.ok()) return admin.status();
    producer_props_ = std::move(producer).value();
    consumer_props_ = std::move(consumer).value();
    admin_props_ = std::move(admin).value();
    return Status::Ok();
  }

  // Topics that exist already with the right partition count are used as they are (the environment may
  // have made them, as the embedded one must: the mock cluster has no CreateTopics); only missing ones are
  // created, and only those are deleted again by DeleteTopics().
  Status CreateTopics(const TopicLayout& requested) override {
    TopicLayout layout = requested;
    layout.replication_factor = settings_.replication_factor;
    BAKEOFF_RETURN_IF_ERROR(EnsureAdmin());
    // One metadata request for all topics, not one per topic: 1,000 topics cost one round trip.
    Result<std::map<std::string, int>> existing = AllTopicPartitions();
    if (!existing.ok()) return existing.status();
    std::vector<std::string> missing;
    for (const std::string& name : layout.topics) {
      auto found = existing->find(name);
      if (found == existing->end() || found->second == 0) {
        missing.push_back(name);
      } else if (found->second == kTopicError) {
        return Unavailable("kafka: topic " + name + " exists but its metadata reports an error");
      } else {
        BAKEOFF_RETURN_IF_ERROR(CheckPartitions(name, found->second, layout.partitions));
      }
    }
    if (!missing.empty()) {
      BAKEOFF_RETURN_IF_ERROR(CreateMissing(missing, layout));
      created_.insert(created_.end(), missing.begin(), missing.end());
      // Creation is asynchronous on real clusters: wait until metadata shows every new topic.
      BAKEOFF_RETURN_IF_ERROR(WaitForTopics(missing, layout.partitions));
    }
    layout_ = layout;
    return Status::Ok();
  }

  Status DeleteTopics() override {
    if (created_.empty() || admin_ == nullptr) return Status::Ok();
    std::vector<rd_kafka_DeleteTopic_t*> doomed;
    for (const std::string& name : created_) doomed.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
    rd_kafka_event_t* event =
        RunAdmin(admin_, RD_KAFKA_ADMIN_OP_DELETETOPICS,
                 [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                   rd_kafka_DeleteTopics(admin_, doomed.data(), doomed.size(), options, queue);
                 });
    rd_kafka_DeleteTopic_destroy_array(doomed.data(), doomed.size());
    created_.clear();
    if (event == nullptr) return Timeout("kafka: DeleteTopics got no answer");
    Status status;
    rd_kafka_resp_err_t err = rd_kafka_event_error(event);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // The mock cluster does not implement DeleteTopics; it disappears with its environment anyway.
      if (err != RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
        status = KafkaErrorStatus(err, "kafka: DeleteTopics");
    } else {
      size_t count = 0;
      const rd_kafka_topic_result_t** results =
          rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count);
      for (size_t i = 0; i < count && status.ok(); ++i) {
        rd_kafka_resp_err_t topic_err = rd_kafka_topic_result_error(results[i]);
        if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR && topic_err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
          status = KafkaErrorStatus(
              topic_err, std::string("kafka: delete topic ") + rd_kafka_topic_result_name(results[i]));
        }
      }
    }
    rd_kafka_event_destroy(event);
    return status;
  }

  Result<std::unique_ptr<Producer>> NewProducer(int producer_index, CompletionSink& sink) override {
    return NewKafkaProducer(WithClientId(producer_props_, "bakeoff-p" + std::to_string(producer_index)),
                            layout_, sink, events_);
  }

  void SetClientEventSink(ClientEventSink* sink) override { events_ = sink; }

  // Fan-out: one consumer group per subscription ("<group>-s<k>"); with one, the run's group as always.
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (!spec.valid()) return InvalidArgument("kafka: consumer outside the run's subscriptions");
    if (spec.subscriptions == 1) {
      return NewKafkaConsumer(WithClientId(consumer_props_, "bakeoff-c" + std::to_string(spec.index)),
                              layout_, spec.index, spec.count, events_);
    }
    const std::string sub = "s" + std::to_string(spec.subscription);
    KafkaProperties props =
        WithClientId(consumer_props_, "bakeoff-" + sub + "-c" + std::to_string(spec.index));
    for (KafkaProperty& p : props) {
      if (p.key == "group.id") p.value = group_id_ + "-" + sub;
    }
    return NewKafkaConsumer(props, layout_, spec.index, spec.count, events_);
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts;
    facts["librdkafka"] = rd_kafka_version_str();
    for (auto& [key, value] : KafkaPropertiesForFacts(producer_props_)) facts["producer." + key] = value;
    for (auto& [key, value] : KafkaPropertiesForFacts(consumer_props_)) facts["consumer." + key] = value;
    // Durability as the cluster reports it, not as the file asked: a broker may have created the topic
    // with another factor (an existing topic, a cluster default), and the guarantee row is built on this.
    facts["topic.replication_factor.requested"] = std::to_string(layout_.replication_factor);
    for (const auto& [key, value] : settings_.topic_config) facts["topic.requested." + key] = value;
    ReadBackTopicFacts(facts);
    facts["delivery_guarantee"] = KafkaGuarantee(facts);
    if (cluster_brokers_ > 0) facts["cluster.brokers"] = std::to_string(cluster_brokers_);
    if (subscriptions_ > 1) {
      facts["consumer.group.id"] = group_id_ + "-s0 .. " + group_id_ + "-s" +
                                   std::to_string(subscriptions_ - 1) + " (one group per subscription)";
    }
    return facts;
  }

 private:
  // The first topic's replicas per partition (the smallest), in-sync replicas and min.insync.replicas,
  // read from the cluster's metadata and DescribeConfigs. A value the cluster does not report is absent.
  void ReadBackTopicFacts(std::map<std::string, std::string>& facts) {
    if (admin_ == nullptr || layout_.topics.empty()) return;
    const std::string& name = layout_.topics.front();
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(admin_, name.c_str(), nullptr);
    if (rkt == nullptr) return;
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(admin_, 0, rkt, &md, 10'000);
    rd_kafka_topic_destroy(rkt);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && md->topics[0].partition_cnt > 0) {
      const rd_kafka_metadata_topic_t& topic = md->topics[0];
      int replicas = topic.partitions[0].replica_cnt, isr = topic.partitions[0].isr_cnt;
      for (int p = 1; p < topic.partition_cnt; ++p) {
        replicas = std::min(replicas, topic.partitions[p].replica_cnt);
        isr = std::min(isr, topic.partitions[p].isr_cnt);
      }
      facts["topic.replication_factor"] = std::to_string(replicas);
      facts["topic.in_sync_replicas"] = std::to_string(isr);
      facts["cluster.brokers"] = std::to_string(md->broker_cnt);
    } else {
      facts["topic.replication_factor"] = "unknown (metadata: " + std::string(rd_kafka_err2str(err)) + ")";
    }
    if (md != nullptr) rd_kafka_metadata_destroy(md);
    // The mock cluster leaves DescribeConfigs unanswered until the request times out.
    if (mock_cluster_) return;
    const std::string min_isr = DescribeTopicConfig(name, "min.insync.replicas");
    if (!min_isr.empty()) facts["topic.min.insync.replicas"] = min_isr;
  }

  // One config value of a topic from DescribeConfigs; empty when the cluster does not answer (the
  // librdkafka mock cluster does not implement the request).
  std::string DescribeTopicConfig(const std::string& topic, const std::string& key) {
    rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
    rd_kafka_event_t* event = RunAdmin(
        admin_, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
        [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
          rd_kafka_DescribeConfigs(admin_, &resource, 1, options, queue);
        },
        std::chrono::seconds(5));
    rd_kafka_ConfigResource_destroy(resource);
    if (event == nullptr) return "";
    std::string value;
    if (rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      size_t count = 0;
      const rd_kafka_ConfigResource_t** resources =
          rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count);
      for (size_t r = 0; r < count && value.empty(); ++r) {
        if (rd_kafka_ConfigResource_error(resources[r]) != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        size_t entries = 0;
        const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(resources[r], &entries);
        for (size_t e = 0; e < entries; ++e) {
          const char* value_text = rd_kafka_ConfigEntry_value(configs[e]);
          if (key == rd_kafka_ConfigEntry_name(configs[e]) && value_text != nullptr) value = value_text;
        }
      }
    }
    rd_kafka_event_destroy(event);
    return value;
  }

  static KafkaProperties WithClientId(KafkaProperties props, const std::string& client_id) {
    for (KafkaProperty& p : props) {
      if (p.key == "client.id") p.value = client_id;
    }
    return props;
  }

  // Where the clients connect (for error messages: an unreachable cluster is named by its address).
  std::string Bootstrap() const {
    for (const KafkaProperty& p : admin_props_) {
      if (p.key == "bootstrap.servers") return p.value;
    }
    return "?";
  }

  Status EnsureAdmin() {
    if (admin_ != nullptr) return Status::Ok();
    Result<rd_kafka_t*> rk = NewKafkaHandle(admin_props_, RD_KAFKA_PRODUCER, [](rd_kafka_conf_t*) {});
    if (!rk.ok()) return rk.status();
    admin_ = *rk;
    return Status::Ok();
  }

  Status CreateMissing(const std::vector<std::string>& names, const TopicLayout& layout) {
    char errstr[256];
    std::vector<rd_kafka_NewTopic_t*> new_topics;
    for (const std::string& name : names) {
      rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), layout.partitions,
                                                         layout.replication_factor, errstr, sizeof(errstr));
      if (topic == nullptr) {
        rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
        return InvalidArgument("kafka: topic " + name + ": " + errstr);
      }
      new_topics.push_back(topic);
      for (const auto& [key, value] : settings_.topic_config) {
        if (rd_kafka_NewTopic_set_config(topic, key.c_str(), value.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
          return InvalidArgument("kafka: topic_config " + key + ": not accepted by librdkafka");
        }
      }
    }
    rd_kafka_event_t* event =
        RunAdmin(admin_, RD_KAFKA_ADMIN_OP_CREATETOPICS,
                 [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                   rd_kafka_CreateTopics(admin_, new_topics.data(), new_topics.size(), options, queue);
                 });
    rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());
    if (event == nullptr) return Timeout("kafka: CreateTopics got no answer");
    Status status = CreateTopicsOutcome(event);
    rd_kafka_event_destroy(event);
    return status;
  }

  static Status CreateTopicsOutcome(rd_kafka_event_t* event) {
    rd_kafka_resp_err_t err = rd_kafka_event_error(event);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaErrorStatus(err, std::string("kafka: CreateTopics: ") + rd_kafka_event_error_string(event));
    }
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      rd_kafka_resp_err_t topic_err = rd_kafka_topic_result_error(results[i]);
      if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR || topic_err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        continue;
      const char* detail = rd_kafka_topic_result_error_string(results[i]);
      return KafkaErrorStatus(topic_err, std::string("kafka: create topic ") +
                                             rd_kafka_topic_result_name(results[i]) +
                                             (detail != nullptr ? std::string(" (") + detail + ")" : ""));
    }
    return Status::Ok();
  }

  static Status CheckPartitions(const std::string& name, int actual, int wanted) {
    if (actual == wanted) return Status::Ok();
    return InvalidArgument("kafka: topic " + name + " exists with " + std::to_string(actual) +
                           " partitions, the workload needs " + std::to_string(wanted));
  }

  Status WaitForTopics(const std::vector<std::string>& names, int wanted_partitions) {
    const auto deadline = std::chrono::steady_clock::now() + kAdminTimeout;
    size_t visible = 0;  // names[0, visible) are known to be there
    while (true) {
      Result<std::map<std::string, int>> all = AllTopicPartitions();
      if (all.ok()) {
        for (; visible < names.size(); ++visible) {
          auto found = all->find(names[visible]);
          if (found == all->end() || found->second <= 0) break;
          BAKEOFF_RETURN_IF_ERROR(CheckPartitions(names[visible], found->second, wanted_partitions));
        }
        if (visible == names.size()) return Status::Ok();
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return all.ok()
                   ? Timeout("kafka: topic " + names[visible] + " not visible in metadata after creation")
                   : all.status();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // The partition count of every topic of the cluster, from one metadata request (the admin client
  // never auto-creates topics by asking). A topic not there yet is absent; one whose metadata reports
  // another error maps to kTopicError, so that only the workload's own topics can fail a run.
  static constexpr int kTopicError = -1;
  Result<std::map<std::string, int>> AllTopicPartitions() {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(admin_, 1, nullptr, &md, 10'000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return KafkaErrorStatus(err, "kafka: metadata from " + Bootstrap());
    cluster_brokers_ = md->broker_cnt;
    std::map<std::string, int> partitions;
    for (int i = 0; i < md->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& topic = md->topics[i];
      if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        partitions[topic.topic] = topic.partition_cnt;
      } else if (topic.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
                 topic.err != RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC &&
                 topic.err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) {
        partitions[topic.topic] = kTopicError;
      }
    }
    rd_kafka_metadata_destroy(md);
    return partitions;
  }

  const OptionValues options_;
  KafkaSettings settings_;   // bound by Init()
  const bool mock_cluster_;  // the embedded provider's librdkafka mock cluster
  Endpoints endpoints_;
  std::string group_id_;
  int subscriptions_ = 1;
  KafkaProperties producer_props_;
  KafkaProperties consumer_props_;
  KafkaProperties admin_props_;
  rd_kafka_t* admin_ = nullptr;
  TopicLayout layout_;
  std::vector<std::string> created_;
  int cluster_brokers_ = 0;
  ClientEventSink* events_ = nullptr;  // the running workload's, for the clients it makes
};

class KafkaDriver final : public Driver {
 public:
  std::string name() const override { return "kafka"; }
  std::string description() const override {
    return "Kafka protocol via librdkafka: Apache Kafka, Redpanda, MSK, Event Hubs, Confluent Cloud.";
  }
  const OptionSchema& schema() const override { return KafkaOptionSchema(); }
  const OptionBinding* option_binding() const override { return &KafkaOptions(); }
  Capabilities capabilities(const OptionValues& options) const override {
    Result<KafkaSettings> bound = KafkaOptions().Bind(options);
    // Options that do not bind fail at Connect; until then they read as the defaults.
    const KafkaSettings settings = bound.ok() ? *bound : *KafkaOptions().Bind(OptionValues{});
    const std::string& acks = settings.acks;
    return {
        // Without idempotence, a retried batch can overtake one behind it when several are in flight.
        .ordered_per_stream = settings.enable_idempotence || settings.max_in_flight == 1,
        .confirms_publish = acks != "0",
        .durable = acks == "all",
    };
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    if (context.system == nullptr) return InvalidArgument("kafka: session without a system");
    auto session = std::make_unique<KafkaSession>(context);
    BAKEOFF_RETURN_IF_ERROR(session->Init());
    return std::unique_ptr<Session>(std::move(session));
  }
};

}  // namespace

Driver* GetKafkaDriver() {
  static KafkaDriver driver;
  return &driver;
}

}  // namespace bakeoff
