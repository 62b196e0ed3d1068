// Message keys and the stream each message goes to. The harness picks the stream itself (hash of the
// key, or round-robin without keys) so that every driver is addressed the same way and ordering is
// checked per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "spec/experiment.h"

namespace bakeoff {

class KeyChooser {
 public:
  KeyChooser(const KeySpec& spec, int streams, uint64_t seed);

  struct Choice {
    uint32_t stream;
    std::span<const std::byte> key;  // empty without keys; valid for the chooser's lifetime
  };
  // The key and stream of message `index` of this producer.
  Choice Next(uint64_t index);

 private:
  size_t DrawKeyIndex(uint64_t index);

  KeySpec spec_;
  uint32_t streams_;
  std::vector<std::string> keys_;
  std::vector<uint32_t> key_stream_;
  std::vector<double> zipf_cdf_;
  std::mt19937_64 rng_;
  uint64_t next_index_ = 0;  // kNone: the index Next() expects, so it can skip the division
  uint32_t next_stream_ = 0;
};

// FNV-1a, used to map a key to a stream.
uint64_t HashKey(std::span<const std::byte> key);

}  // namespace bakeoff
