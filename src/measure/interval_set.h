// A set of uint64 values whose memory is at most ~1 bit per value of the range it spans, however the
// values are scattered, and a few bytes per run of consecutive values when they are not.
//
// The value space is cut into chunks of 2^16 values. A chunk holds its values as sorted runs
// [first, last] of 4 bytes each while it has at most kMaxRunsPerChunk of them (so a long run of
// consecutive values costs one run per 65536 values), and as a 8 KiB bitmap once it has more. Either
// way a chunk costs at most ~8 KiB for its 65536 values: with every other message lost, 1e9 messages
// take ~128 MiB, where one map node per gap took ~32 bytes per message. Counts are exact in both forms.
// Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace bakeoff {

class IntervalSet {
 public:
  static constexpr uint64_t kChunkBits = 16;
  static constexpr uint64_t kChunkValues = uint64_t{1} << kChunkBits;
  static constexpr size_t kMaxRunsPerChunk = 2048;  // 2048 x 4 bytes = the 8 KiB bitmap

  IntervalSet() = default;
  IntervalSet(const IntervalSet& other) : chunks_(other.chunks_), size_(other.size_) {}
  IntervalSet& operator=(const IntervalSet& other);
  IntervalSet(IntervalSet&& other) noexcept : chunks_(std::move(other.chunks_)), size_(other.size_) {}
  IntervalSet& operator=(IntervalSet&& other) noexcept;

  // Inserts `value`; returns false if it was already present.
  bool Insert(uint64_t value) { return InsertRange(value, value) == 0; }
  // Inserts [first, last]; returns how many of those values were already present.
  uint64_t InsertRange(uint64_t first, uint64_t last);
  // Inserts every value of `other`; returns how many were already present.
  uint64_t UnionWith(const IntervalSet& other);
  bool Contains(uint64_t value) const;
  // Number of values in the set.
  uint64_t size() const { return size_; }
  // Number of values in [0, end) that are NOT in the set.
  uint64_t MissingBelow(uint64_t end) const;
  // Number of values in [0, end) in neither this set nor `other`.
  uint64_t MissingBelowFromBoth(uint64_t end, const IntervalSet& other) const;
  // Calls `visit(first, last)` for each maximal interval of consecutive values, in order.
  void ForEachInterval(const std::function<void(uint64_t first, uint64_t last)>& visit) const;
  // Maximal intervals (O(size of the representation)).
  size_t interval_count() const;
  std::map<uint64_t, uint64_t> intervals() const;  // first -> last; for tests and small sets
  // Heap bytes held (chunks, runs, bitmaps), for memory bounds.
  size_t bytes_used() const;

 private:
  struct Chunk {
    uint32_t count = 0;                               // values present
    std::vector<std::pair<uint16_t, uint16_t>> runs;  // sorted, disjoint, non-adjacent; unless dense
    std::vector<uint64_t> bits;                       // 1024 words when dense, else empty
    bool dense() const { return !bits.empty(); }
  };
  Chunk& ChunkFor(uint64_t key);
  static uint64_t InsertLocal(Chunk& chunk, uint32_t lo, uint32_t hi);
  static void MakeDense(Chunk& chunk);
  static uint64_t CountLocalBelow(const Chunk& chunk, uint32_t end);
  static uint64_t CountBothLocalBelow(const Chunk& a, const Chunk& b, uint32_t end);

  std::map<uint64_t, Chunk> chunks_;  // key: value >> kChunkBits
  uint64_t size_ = 0;
  // The chunk inserted into last: in-order inserts skip the map lookup. Map nodes are stable.
  uint64_t cached_key_ = 0;
  Chunk* cached_ = nullptr;
};

}  // namespace bakeoff
