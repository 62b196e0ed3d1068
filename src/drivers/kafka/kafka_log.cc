#include "drivers/kafka/kafka_log.h"

#include <string>

#include "base/client_log.h"
#include "drivers/kafka/kafka_config.h"

namespace bakeoff {
namespace {

constexpr int kLogInfo = 6;
constexpr int kLogError = 3;

// C callback on librdkafka's threads: must not throw or block.
void OnKafkaLog(const rd_kafka_t* rk, int level, const char* facility, const char* line) noexcept {
  try {
    PostClientLog("librdkafka", level, rd_kafka_name(rk), std::string(facility) + ": " + line);
  } catch (...) {
    // Out of memory: the line is lost, the client goes on.
  }
}

}  // namespace

void RouteKafkaLog(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, &OnKafkaLog);
}

void ReportKafkaError(rd_kafka_t* rk, int err, const char* reason, ClientEventSink* events) noexcept try {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  const std::string name = rd_kafka_name(rk);
  PostClientLog("librdkafka", kLogError, name,
                std::string("ERROR: ") + rd_kafka_err2name(code) + ": " + (reason ? reason : ""));
  if (events != nullptr) {
    events->OnClientError(name, KafkaErrorStatus(code, std::string("kafka: ") + (reason ? reason : "")));
  }
} catch (...) {
  // Out of memory: the report is lost, the client goes on.
}

void ReportKafkaRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          const rd_kafka_topic_partition_list_t* parts, bool cooperative,
                          ClientEventSink* events) noexcept try {
  const bool assigned = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
  const int count = parts != nullptr ? parts->cnt : 0;
  const std::string what = std::string(assigned ? "assigned " : "revoked ") + std::to_string(count) +
                           (count == 1 ? " partition" : " partitions") +
                           (cooperative ? " (cooperative)" : " (eager)");
  const std::string name = rd_kafka_name(rk);
  PostClientLog("librdkafka", kLogInfo, name, "REBALANCE: " + what);
  if (events != nullptr) events->OnRebalance(name, what);
} catch (...) {
  // Out of memory: the report is lost, the rebalance goes on.
}

}  // namespace bakeoff
