// A log-linear latency histogram in the HdrHistogram layout: values from 1 to ~1 hour in nanoseconds
// with <= 1% relative error (2 significant digits: 128 linear sub-buckets per power of two), constant
// memory (~37 KiB), O(1) recording and mergeable across threads. Not thread-safe: one per thread, then
// Merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bakeoff {

class Histogram {
 public:
  // Highest trackable value: 1 hour in nanoseconds. Larger values are clamped to it and counted.
  static constexpr int64_t kHighestTrackableNs = 3'600'000'000'000;
  static constexpr int kSubBucketCount = 256;  // 2 significant digits, as HdrHistogram computes it

  Histogram();

  // Records `value_ns` (negative values are recorded as 0) `count` times.
  void Record(int64_t value_ns, uint64_t count = 1) {
    int64_t v = value_ns < 0 ? 0 : value_ns;
    if (v > kHighestTrackableNs) {
      v = kHighestTrackableNs;
      ++clamped_count_;
    }
    counts_[IndexOf(v)] += count;
    total_count_ += count;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
    sum_ += static_cast<unsigned __int128>(v) * count;  // exact; an integer add on the hot path
  }

  void Merge(const Histogram& other);
  void Reset();

  uint64_t total_count() const { return total_count_; }
  uint64_t clamped_count() const { return clamped_count_; }
  int64_t min() const { return total_count_ ? min_ : 0; }
  int64_t max() const { return total_count_ ? max_ : 0; }  // exact, not bucketed
  double mean() const {
    return total_count_ ? static_cast<double>(sum_) / static_cast<double>(total_count_) : 0.0;
  }

  // The value at `percentile` in [0, 100]: the highest value equivalent to the smallest recorded
  // value v such that at least percentile% of recordings are <= v. 100 gives max().
  int64_t ValueAtPercentile(double percentile) const;

  // Bucket layout, for exporters (HdrHistogram encoding) and tests.
  size_t bucket_count() const { return counts_.size(); }
  uint64_t count_at_index(size_t index) const { return counts_[index]; }
  static int64_t ValueFromIndex(size_t index);           // lowest value of the bucket
  static int64_t HighestEquivalentValue(int64_t value);  // highest value sharing value's bucket
  static size_t IndexOf(int64_t value) {
    // HdrHistogram: bucket = position of highest bit above the sub-bucket range.
    const int pow2ceiling = 64 - __builtin_clzll(static_cast<uint64_t>(value) | kSubBucketMask);
    const int bucket_index = pow2ceiling - kSubBucketBits;
    const int64_t sub_bucket_index = value >> bucket_index;
    return static_cast<size_t>((bucket_index + 1) * (kSubBucketCount / 2) + sub_bucket_index -
                               kSubBucketCount / 2);
  }

 private:
  static constexpr int kSubBucketBits = 8;  // log2(kSubBucketCount)
  static constexpr uint64_t kSubBucketMask = kSubBucketCount - 1;

  std::vector<uint64_t> counts_;
  uint64_t total_count_ = 0;
  uint64_t clamped_count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  unsigned __int128 sum_ = 0;
};

// A Histogram's occupied (non-zero) buckets in a compact form, for keeping many histograms, e.g. one
// per second of an hour-long run, where a full Histogram each (~37 KiB) would not fit. An occupied
// bucket costs 1 byte while its count is below 64 (2 below 8192), a run of empty buckets 1-2 bytes, so
// a second spread over a thousand buckets takes 1-2 KiB. Keeps the bucket counts, total count, min and
// max exactly; not the sum (so not the exact mean) nor the clamped count. Immutable once built.
class SparseHistogram {
 public:
  SparseHistogram() = default;  // empty
  explicit SparseHistogram(const Histogram& histogram);

  // A Histogram with the same bucket counts, total count, min and max: recordings in the lowest
  // occupied bucket come back as min(), those in the highest as max() (one of them as min() if it is
  // also the lowest), the others as their bucket's lowest value.
  Histogram ToHistogram() const;

  uint64_t total_count() const { return total_count_; }
  int64_t min() const { return min_; }
  int64_t max() const { return max_; }
  size_t occupied_buckets() const { return occupied_buckets_; }
  size_t encoded_bytes() const { return encoded_.size(); }  // heap held beyond sizeof(*this)

 private:
  // LEB128 tokens in bucket order: count << 1 for the next bucket, or (n << 1) | 1 to skip n empty ones.
  std::string encoded_;
  uint64_t total_count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  uint32_t occupied_buckets_ = 0;
};

}  // namespace bakeoff
