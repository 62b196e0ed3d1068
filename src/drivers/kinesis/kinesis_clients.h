// Internal to the kinesis driver: the stream layout a session resolved and the client constructors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/driver.h"
#include "drivers/kinesis/kinesis_config.h"

namespace bakeoff::kinesis {

struct ShardInfo {
  std::string id;
  std::string starting_hash_key;  // decimal 128-bit; used as ExplicitHashKey to address this shard
};

struct StreamInfo {
  std::string name;
  std::vector<ShardInfo> shards;  // ordered by starting hash key: shard index = harness partition
};

// Harness stream s = topic (s / partitions), shard (s % partitions).
struct KinesisLayout {
  std::vector<StreamInfo> streams;  // one per topic
  int partitions = 1;
};

Result<std::unique_ptr<Producer>> NewKinesisProducer(const KinesisSettings& settings,
                                                     std::shared_ptr<const KinesisLayout> layout,
                                                     CompletionSink& sink);
Result<std::unique_ptr<Consumer>> NewKinesisConsumer(const KinesisSettings& settings,
                                                     std::shared_ptr<const KinesisLayout> layout,
                                                     int consumer_index, int consumer_count);

}  // namespace bakeoff::kinesis
