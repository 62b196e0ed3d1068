#include "measure/histogram.h"

#include <algorithm>
#include <cmath>

namespace bakeoff {
namespace {

constexpr int kSubBucketHalfCountMagnitude = 7;  // log2(kSubBucketCount / 2)
constexpr int64_t kSubBucketHalfCount = Histogram::kSubBucketCount / 2;

// HdrHistogram's buckets_needed_to_cover_value() with unit magnitude 0: the number of power-of-two
// buckets (the first one holding kSubBucketCount linear sub-buckets) needed to reach `value`.
constexpr int BucketsNeededToCover(int64_t value) {
  int64_t smallest_untrackable_value = Histogram::kSubBucketCount;
  int buckets_needed = 1;
  while (smallest_untrackable_value <= value) {
    if (smallest_untrackable_value > INT64_MAX / 2) return buckets_needed + 1;
    smallest_untrackable_value <<= 1;
    ++buckets_needed;
  }
  return buckets_needed;
}

constexpr size_t kCountsLength =
    static_cast<size_t>(BucketsNeededToCover(Histogram::kHighestTrackableNs) + 1) * kSubBucketHalfCount;

// Every value up to the highest trackable one must land inside the counts array, or Record would
// write out of bounds.
static_assert(kCountsLength == 4608, "1 hour at 2 significant digits needs 35 buckets");

int BucketIndexOf(int64_t value) {
  return 64 - __builtin_clzll(static_cast<uint64_t>(value) | (Histogram::kSubBucketCount - 1)) - 8;
}

// The number of recordings that must be <= the value at `percentile`: ceil(p/100 * total), at least
// 1. The product is nudged down by a relative epsilon so that e.g. 99.9% of 1000 gives 999, not the
// 1000 that floating-point rounding (999.0000000000001) would produce.
uint64_t CountAtPercentile(double percentile, uint64_t total) {
  const double exact = percentile / 100.0 * static_cast<double>(total);
  const double rank = std::ceil(exact * (1.0 - 1e-14));
  uint64_t count = rank <= 1.0 ? 1 : static_cast<uint64_t>(rank);
  return std::min(count, total);
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads what PutVarint wrote (the input is always our own encoding).
uint64_t GetVarint(const std::string& in, size_t& at) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const uint64_t byte = static_cast<unsigned char>(in[at++]);
    v |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

}  // namespace

Histogram::Histogram() : counts_(kCountsLength, 0) {}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  clamped_count_ += other.clamped_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  clamped_count_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
  sum_ = 0;
}

int64_t Histogram::ValueAtPercentile(double percentile) const {
  if (total_count_ == 0) return 0;
  if (!(percentile > 0.0)) return min();  // also catches NaN
  if (percentile >= 100.0) return max();
  const uint64_t wanted = CountAtPercentile(percentile, total_count_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (cumulative >= wanted) {
      return std::min(HighestEquivalentValue(ValueFromIndex(i)), max_);
    }
  }
  return max();  // unreachable while counts_ and total_count_ agree
}

int64_t Histogram::ValueFromIndex(size_t index) {
  int bucket_index = static_cast<int>(index >> kSubBucketHalfCountMagnitude) - 1;
  int64_t sub_bucket_index = static_cast<int64_t>(index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket_index < 0) {
    sub_bucket_index -= kSubBucketHalfCount;
    bucket_index = 0;
  }
  return sub_bucket_index << bucket_index;
}

int64_t Histogram::HighestEquivalentValue(int64_t value) {
  if (value < 0) value = 0;
  const int bucket_index = BucketIndexOf(value);
  const int64_t lowest_equivalent = (value >> bucket_index) << bucket_index;
  return lowest_equivalent + (int64_t{1} << bucket_index) - 1;
}

SparseHistogram::SparseHistogram(const Histogram& histogram)
    : total_count_(histogram.total_count()), min_(histogram.min()), max_(histogram.max()) {
  size_t next = 0;  // the bucket the next token is about
  for (size_t i = 0; i < histogram.bucket_count(); ++i) {
    const uint64_t count = histogram.count_at_index(i);
    if (count == 0) continue;
    if (i > next) PutVarint(encoded_, (static_cast<uint64_t>(i - next) << 1) | 1);
    PutVarint(encoded_, count << 1);  // a bucket's count below 2^63: total_count() is a uint64_t too
    next = i + 1;
    ++occupied_buckets_;
  }
  encoded_.shrink_to_fit();
}

Histogram SparseHistogram::ToHistogram() const {
  Histogram histogram;
  size_t at = 0;
  size_t index = 0;
  for (uint32_t n = 1; n <= occupied_buckets_; ++index) {
    const uint64_t token = GetVarint(encoded_, at);
    if (token & 1) {
      index += (token >> 1) - 1;  // empty buckets; the loop's ++index moves past the last of them
      continue;
    }
    uint64_t count = token >> 1;
    // min_ and max_ lie in the lowest and highest occupied buckets: recording them there restores the
    // exact min() and max() without changing any bucket's count.
    const int64_t value = n == 1 ? min_ : Histogram::ValueFromIndex(index);
    if (n == occupied_buckets_) {
      histogram.Record(max_);
      --count;
    }
    if (count > 0) histogram.Record(value, count);
    ++n;
  }
  return histogram;
}

}  // namespace bakeoff
