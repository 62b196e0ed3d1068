// Message bodies: sizes drawn from the workload's distribution and contents that are random,
// compressible to a target ratio, taken from a user's file, or drawn from a pool of distinct payloads. Each
// producer owns one generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "spec/experiment.h"

namespace bakeoff {

class PayloadGenerator {
 public:
  // `base_dir` resolves a relative payload file. `seed` makes runs reproducible per producer.
  static Result<PayloadGenerator> Create(const WorkloadSpec& workload, const std::string& base_dir,
                                         uint64_t seed);

  // Next message size in bytes (>= the header size, <= max_bytes()).
  size_t NextSize() {
    if (fixed_size_) return fixed_size_;
    return DrawSize();
  }
  // Fills `out` (size bytes) with body bytes after the header area; header bytes are left untouched.
  // Content rotates through a pre-generated block so consecutive messages differ.
  void FillBody(std::span<std::byte> out, size_t header_bytes);

  size_t max_bytes() const { return max_size_; }

 private:
  size_t DrawSize();

  MessageSizeSpec size_spec_;
  size_t fixed_size_ = 0;
  size_t max_size_ = 0;
  std::vector<std::byte>
      block_;              // source of body bytes, longer than any message; a pool: entries back to back
  size_t pool_count_ = 0;  // kPool: entries of max_size_ bytes in block_
  size_t next_pool_entry_ = 0;
  size_t offset_ = 0;
  std::mt19937_64 rng_;
};

// Bytes that compress to about `ratio` of their size with a general-purpose compressor: a mix of
// random bytes (incompressible) and runs of a repeated byte (compressible), interleaved finely.
std::vector<std::byte> MakeCompressibleBytes(size_t size, double ratio, uint64_t seed);

}  // namespace bakeoff
