#include "env/local/kafka_health.h"

#include <algorithm>

#include "env/process/tcp_client.h"

namespace bakeoff {
namespace {

int Ms(std::chrono::milliseconds d) {
  return static_cast<int>(std::max<int64_t>(1, d.count()));
}

// One admin request on its own queue; the result event (caller destroys) or nullptr when none came.
template <typename Request>
rd_kafka_event_t* RunAdmin(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds budget,
                           Request&& request) {
  char errstr[256];
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_request_timeout(options, Ms(budget), errstr, sizeof(errstr));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  request(options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, Ms(budget) + 500);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  return event;
}

}  // namespace

KafkaHealth::~KafkaHealth() {
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

Status KafkaHealth::EnsureHandle() {
  if (rk_ != nullptr) return Status::Ok();
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  const std::pair<const char*, std::string> props[] = {
      {"bootstrap.servers", options_.bootstrap_servers},
      {"client.id", "bakeoff-health"},
      {"allow.auto.create.topics", "false"},
      // Connection refused while the JVMs boot is expected; the probe's own message says what is missing.
      {"log_level", "0"},
      {"reconnect.backoff.ms", "20"},
      {"reconnect.backoff.max.ms", "200"},
  };
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf, key, value.c_str(), errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Internal(std::string("kafka health: ") + key + ": " + errstr);
    }
  }
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Internal(std::string("kafka health: cannot create a librdkafka handle: ") + errstr);
  }
  return Status::Ok();
}

Status KafkaHealth::CreateHealthTopic(std::chrono::milliseconds budget) {
  char errstr[256];
  rd_kafka_NewTopic_t* topic =
      rd_kafka_NewTopic_new(kKafkaHealthTopic, 1, options_.replication_factor, errstr, sizeof(errstr));
  if (topic == nullptr) return Internal(std::string("kafka health: topic: ") + errstr);
  rd_kafka_event_t* event = RunAdmin(
      rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS, budget,
      [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) { rd_kafka_CreateTopics(rk_, &topic, 1, o, q); });
  rd_kafka_NewTopic_destroy(topic);
  if (event == nullptr) return Unavailable("CreateTopics got no answer yet");
  Status st;
  if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    st = Unavailable(std::string("CreateTopics: ") + rd_kafka_event_error_string(event));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    for (size_t i = 0; i < n; ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* detail = rd_kafka_topic_result_error_string(results[i]);
        st = Unavailable("creating topic " + std::string(kKafkaHealthTopic) + " with replication factor " +
                         std::to_string(options_.replication_factor) + ": " +
                         (detail != nullptr ? detail : rd_kafka_err2str(err)));
      }
    }
  }
  rd_kafka_event_destroy(event);
  return st;
}

Status KafkaHealth::Probe(std::chrono::milliseconds budget) {
  // Cheap first: a broker's listener opens only once its JVM got far into the boot.
  for (int port : options_.broker_ports) {
    if (!TcpClient::Connect(port, budget).ok())
      return Unavailable("broker port " + std::to_string(port) + " not open yet");
  }
  BAKEOFF_RETURN_IF_ERROR(EnsureHandle());
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, kKafkaHealthTopic, nullptr);
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, rkt, &md, Ms(budget));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Unavailable(std::string("metadata: ") + rd_kafka_err2str(err));
  const int brokers = md->broker_cnt;
  int isr = -1;
  int leader = -1;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
      md->topics[0].partition_cnt == 1) {
    isr = md->topics[0].partitions[0].isr_cnt;
    leader = md->topics[0].partitions[0].leader;
  }
  rd_kafka_metadata_destroy(md);
  const int expected = static_cast<int>(options_.broker_ports.size());
  if (brokers != expected) {
    return Unavailable("metadata lists " + std::to_string(brokers) + " of " + std::to_string(expected) +
                       " brokers");
  }
  if (rd_kafka_controllerid(rk_, Ms(budget)) < 0) return Unavailable("no active controller yet");
  if (leader >= 0 && isr == options_.replication_factor) {
    DeleteHealthTopic(budget);
    return Status::Ok();
  }
  if (!topic_requested_) {
    BAKEOFF_RETURN_IF_ERROR(CreateHealthTopic(budget));
    topic_requested_ = true;
  }
  return Unavailable("topic " + std::string(kKafkaHealthTopic) + " (replication factor " +
                     std::to_string(options_.replication_factor) + ") has no leader with a full ISR yet (" +
                     std::to_string(std::max(isr, 0)) + " in sync)");
}

void KafkaHealth::DeleteHealthTopic(std::chrono::milliseconds budget) {
  rd_kafka_DeleteTopic_t* doomed = rd_kafka_DeleteTopic_new(kKafkaHealthTopic);
  rd_kafka_event_t* event = RunAdmin(
      rk_, RD_KAFKA_ADMIN_OP_DELETETOPICS, std::min(budget, std::chrono::milliseconds(5000)),
      [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) { rd_kafka_DeleteTopics(rk_, &doomed, 1, o, q); });
  rd_kafka_DeleteTopic_destroy(doomed);
  if (event != nullptr) rd_kafka_event_destroy(event);  // best effort: a leftover topic harms no run
}

}  // namespace bakeoff
