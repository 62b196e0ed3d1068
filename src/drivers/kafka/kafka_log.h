// Where librdkafka's own output goes: its log lines into bakeoff's client log (base/client_log.h, shown
// in the run's log) instead of librdkafka's default of printing "%4|..." lines to stderr; its errors and
// the consumers' rebalances also to the run's ClientEventSink, so they are counted in the result.
#pragma once

#include <librdkafka/rdkafka.h>

#include "drivers/driver.h"

namespace bakeoff {

// Sets the log callback on `conf`: every line of the handle made from it goes to the client log with its
// syslog level (0..7) and the handle's name ("bakeoff-c0#consumer-2"). The callback runs on librdkafka's
// own threads; it only queues the line.
void RouteKafkaLog(rd_kafka_conf_t* conf);

// For the error callback (served inside the client's poll, on its owner's thread): logs the error and
// reports it to `events` when that is not null.
void ReportKafkaError(rd_kafka_t* rk, int err, const char* reason, ClientEventSink* events) noexcept;

// For the rebalance callback: logs the assignment or revocation of `parts` and reports it to `events`
// when that is not null.
void ReportKafkaRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          const rd_kafka_topic_partition_list_t* parts, bool cooperative,
                          ClientEventSink* events) noexcept;

}  // namespace bakeoff
