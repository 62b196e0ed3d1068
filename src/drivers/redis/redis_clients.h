// The redis-streams producer (pipelined XADD) and consumer (XREADGROUP + batched XACK).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "drivers/redis/redis_connection.h"

namespace bakeoff::redis {

struct ProducerSettings {
  std::vector<std::string> keys;  // stream key per stream index
  size_t pipeline = 64;           // XADD commands in flight (sent, reply not yet read)
  int64_t maxlen = 0;             // > 0: XADD ... MAXLEN ~ maxlen
};

struct ConsumerSettings {
  std::vector<std::string> keys;  // stream key per stream index (all of them)
  std::vector<uint32_t> streams;  // the streams this consumer reads
  std::string group;
  std::string consumer_name;
  int64_t read_count = 1000;  // XREADGROUP COUNT (per stream)
  int64_t block_ms = 100;     // upper bound of XREADGROUP BLOCK; the poll's max_wait caps it
};

// Connects; the producer reports completions to `sink` only inside its own Send/Poll/Flush.
Result<std::unique_ptr<Producer>> NewProducer(const ConnectionConfig& config, ProducerSettings settings,
                                              CompletionSink& sink);
Result<std::unique_ptr<Consumer>> NewConsumer(const ConnectionConfig& config, ConsumerSettings settings);

}  // namespace bakeoff::redis
