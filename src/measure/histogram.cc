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

}  // namespace bakeoff
