#include "measure/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace bakeoff {
namespace {

constexpr double kPercentiles[] = {0, 1, 25, 50, 90, 99, 99.9, 99.99, 99.999, 100};

// The exact percentile of `sorted` with HdrHistogram's rank rule: the smallest value such that at
// least p% of the values are <= it (rank ceil(p/100 * n), at least 1).
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double percentile) {
  const double exact = percentile / 100.0 * static_cast<double>(sorted.size());
  const double rank = std::ceil(exact * (1.0 - 1e-14));
  size_t count = rank <= 1.0 ? 1 : static_cast<size_t>(rank);
  count = std::min(count, sorted.size());
  return sorted[count - 1];
}

// Records `values` and checks every percentile of kPercentiles against the sorted array.
void ExpectPercentilesWithinOnePercent(std::vector<int64_t> values) {
  Histogram h;
  for (int64_t v : values) h.Record(v);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.total_count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  for (double p : kPercentiles) {
    const int64_t exact = ExactPercentile(values, p);
    const int64_t got = h.ValueAtPercentile(p);
    EXPECT_GE(got, exact) << "p" << p;  // the highest equivalent value never undershoots
    EXPECT_LE(static_cast<double>(got - exact), 0.01 * static_cast<double>(exact))
        << "p" << p << " exact " << exact << " got " << got;
  }
}

TEST(HistogramTest, LayoutMatchesHdrHistogram) {
  Histogram h;
  // 35 buckets cover 1 hour at 2 significant digits; HdrHistogram allocates (35 + 1) * 128 counts.
  EXPECT_EQ(h.bucket_count(), 4608u);
  EXPECT_LT(Histogram::IndexOf(Histogram::kHighestTrackableNs), h.bucket_count());
  EXPECT_EQ(Histogram::IndexOf(0), 0u);
  EXPECT_EQ(Histogram::IndexOf(255), 255u);
  EXPECT_EQ(Histogram::IndexOf(256), 256u);
  EXPECT_EQ(Histogram::IndexOf(257), 256u);
  EXPECT_EQ(Histogram::IndexOf(258), 257u);
  EXPECT_EQ(Histogram::ValueFromIndex(256), 256);
  EXPECT_EQ(Histogram::HighestEquivalentValue(256), 257);
  EXPECT_EQ(Histogram::HighestEquivalentValue(100), 100);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(0), 1);
  EXPECT_EQ(h.ValueAtPercentile(25), 25);
  EXPECT_EQ(h.ValueAtPercentile(50), 50);
  EXPECT_EQ(h.ValueAtPercentile(50.5), 51);
  EXPECT_EQ(h.ValueAtPercentile(99), 99);
  EXPECT_EQ(h.ValueAtPercentile(100), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(HistogramTest, PercentileNeverExceedsMax) {
  Histogram h;
  h.Record(1'000'001);  // its bucket is [999'424, 1'003'519]
  EXPECT_EQ(h.ValueAtPercentile(50), 1'000'001);
  EXPECT_EQ(h.ValueAtPercentile(99.999), 1'000'001);
}

TEST(HistogramTest, RecordWithCount) {
  Histogram h;
  h.Record(10, 3);
  h.Record(1000, 1);
  EXPECT_EQ(h.total_count(), 4u);
  EXPECT_EQ(h.count_at_index(Histogram::IndexOf(10)), 3u);
  EXPECT_EQ(h.ValueAtPercentile(75), 10);
  EXPECT_EQ(h.ValueAtPercentile(76), 1000);
  EXPECT_DOUBLE_EQ(h.mean(), 1030.0 / 4);
}

TEST(HistogramTest, UniformMicrosecondToSecond) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> dist(1'000, 1'000'000'000);
  std::vector<int64_t> values(1'000'000);
  for (auto& v : values) v = dist(rng);
  ExpectPercentilesWithinOnePercent(std::move(values));
}

TEST(HistogramTest, LognormalHeavyTail) {
  std::mt19937_64 rng(2);
  // Median ~50 us with a tail reaching minutes; clamped into [1 us, 1 h].
  std::lognormal_distribution<double> dist(std::log(50'000.0), 2.5);
  std::vector<int64_t> values(1'000'000);
  for (auto& v : values) {
    v = std::clamp(static_cast<int64_t>(dist(rng)), int64_t{1'000}, Histogram::kHighestTrackableNs);
  }
  ExpectPercentilesWithinOnePercent(std::move(values));
}

TEST(HistogramTest, ParetoHeavyTail) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<int64_t> values(1'000'000);
  for (auto& v : values) {
    // Pareto with x_min = 1 us and shape 0.7 (infinite mean): reaches the 1 h cap now and then.
    const double x = 1'000.0 / std::pow(1.0 - unit(rng), 1.0 / 0.7);
    v = x >= static_cast<double>(Histogram::kHighestTrackableNs) ? Histogram::kHighestTrackableNs
                                                                 : static_cast<int64_t>(x);
  }
  ExpectPercentilesWithinOnePercent(std::move(values));
}

TEST(HistogramTest, Bimodal) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> fast(20'000.0, 2'000.0);       // 20 us
  std::normal_distribution<double> slow(5'000'000.0, 500'000.0);  // 5 ms
  std::bernoulli_distribution is_slow(0.05);
  std::vector<int64_t> values(1'000'000);
  for (auto& v : values) {
    const double x = is_slow(rng) ? slow(rng) : fast(rng);
    v = std::max<int64_t>(1'000, static_cast<int64_t>(x));
  }
  ExpectPercentilesWithinOnePercent(std::move(values));
}

TEST(HistogramTest, MergeEqualsSingleHistogram) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> dist(std::log(100'000.0), 1.5);
  Histogram all;
  std::vector<Histogram> per_thread(4);
  for (int i = 0; i < 400'000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    all.Record(v);
    per_thread[static_cast<size_t>(i) % per_thread.size()].Record(v);
  }
  per_thread[2].Record(Histogram::kHighestTrackableNs + 5);
  all.Record(Histogram::kHighestTrackableNs + 5);

  Histogram merged;
  for (const auto& h : per_thread) merged.Merge(h);
  ASSERT_EQ(merged.bucket_count(), all.bucket_count());
  for (size_t i = 0; i < all.bucket_count(); ++i) {
    ASSERT_EQ(merged.count_at_index(i), all.count_at_index(i)) << "index " << i;
  }
  EXPECT_EQ(merged.total_count(), all.total_count());
  EXPECT_EQ(merged.clamped_count(), 1u);
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_NEAR(merged.mean(), all.mean(), all.mean() * 1e-12);
  for (double p : kPercentiles) EXPECT_EQ(merged.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;

  // Merging an empty histogram changes nothing (its min sentinel must not leak in).
  merged.Merge(Histogram());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.total_count(), all.total_count());
}

TEST(HistogramTest, ValuesAboveOneHourClampAndCount) {
  Histogram h;
  h.Record(5);
  h.Record(Histogram::kHighestTrackableNs);  // at the limit: not clamped
  h.Record(Histogram::kHighestTrackableNs + 1);
  h.Record(INT64_MAX, 2);
  EXPECT_EQ(h.total_count(), 5u);
  EXPECT_EQ(h.clamped_count(), 2u);  // two Record calls clamped (one of them with count 2)
  EXPECT_EQ(h.max(), Histogram::kHighestTrackableNs);
  EXPECT_EQ(h.ValueAtPercentile(100), Histogram::kHighestTrackableNs);
  EXPECT_EQ(h.ValueAtPercentile(50), Histogram::kHighestTrackableNs);
  EXPECT_EQ(h.count_at_index(Histogram::IndexOf(Histogram::kHighestTrackableNs)), 4u);
}

TEST(HistogramTest, NegativeRecordsAsZero) {
  Histogram h;
  h.Record(-17);
  h.Record(INT64_MIN);
  h.Record(40);
  EXPECT_EQ(h.total_count(), 3u);
  EXPECT_EQ(h.count_at_index(0), 2u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.ValueAtPercentile(0), 0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  EXPECT_EQ(h.ValueAtPercentile(100), 40);
}

TEST(HistogramTest, EmptyIsAllZero) {
  Histogram h;
  for (double p : kPercentiles) EXPECT_EQ(h.ValueAtPercentile(p), 0) << p;
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.total_count(), 0u);
}

TEST(HistogramTest, ResetForgetsEverything) {
  Histogram h;
  h.Record(123456);
  h.Record(Histogram::kHighestTrackableNs * 2);
  h.Reset();
  EXPECT_EQ(h.total_count(), 0u);
  EXPECT_EQ(h.clamped_count(), 0u);
  EXPECT_EQ(h.ValueAtPercentile(50), 0);
  for (size_t i = 0; i < h.bucket_count(); ++i) ASSERT_EQ(h.count_at_index(i), 0u);
  h.Record(7);
  EXPECT_EQ(h.min(), 7);
  EXPECT_EQ(h.max(), 7);
}

void ExpectIndexRoundTrip(int64_t v) {
  const size_t index = Histogram::IndexOf(v);
  ASSERT_LT(index, size_t{4608}) << v;
  const int64_t lowest = Histogram::ValueFromIndex(index);
  const int64_t highest = Histogram::HighestEquivalentValue(v);
  ASSERT_LE(lowest, v);
  ASSERT_LE(v, highest);
  ASSERT_EQ(Histogram::IndexOf(lowest), index) << v;
  ASSERT_EQ(Histogram::IndexOf(highest), index) << v;
  // Buckets tile the value range: the value after the bucket starts the next bucket.
  ASSERT_EQ(Histogram::IndexOf(highest + 1), index + 1) << v;
  ASSERT_EQ(Histogram::ValueFromIndex(index + 1), highest + 1) << v;
  const int64_t width = highest - lowest + 1;
  ASSERT_LE(static_cast<double>(width), std::max(1.0, 0.01 * static_cast<double>(lowest))) << v;
}

TEST(HistogramTest, IndexRoundTrip) {
  for (int64_t v = 0; v <= 100'000; ++v) ExpectIndexRoundTrip(v);
  for (int bit = 1; bit < 42; ++bit) {
    const int64_t p = int64_t{1} << bit;
    ExpectIndexRoundTrip(p - 1);
    ExpectIndexRoundTrip(p);
    ExpectIndexRoundTrip(p + 1);
  }
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> log_value(0.0, std::log(3.6e12));
  for (int i = 0; i < 1'000'000; ++i) {
    const auto v = std::min(static_cast<int64_t>(std::exp(log_value(rng))), Histogram::kHighestTrackableNs);
    ExpectIndexRoundTrip(v);
  }
  ExpectIndexRoundTrip(Histogram::kHighestTrackableNs);
}

void ExpectSameHistogram(const Histogram& a, const Histogram& b) {
  ASSERT_EQ(a.total_count(), b.total_count());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  for (size_t i = 0; i < a.bucket_count(); ++i) ASSERT_EQ(a.count_at_index(i), b.count_at_index(i)) << i;
  for (double p : kPercentiles) EXPECT_EQ(a.ValueAtPercentile(p), b.ValueAtPercentile(p)) << "p" << p;
}

TEST(SparseHistogramTest, RebuildsCountsMinAndMaxExactly) {
  Histogram h;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(11.0, 1.5);  // ~60 us median, long tail
  for (int i = 0; i < 100'000; ++i) h.Record(static_cast<int64_t>(latency(rng)));
  h.Record(3);                                           // min inside a bucket of width 1
  h.Record(Histogram::kHighestTrackableNs - 12'345, 7);  // max not at a bucket's lowest value
  const SparseHistogram sparse(h);
  EXPECT_EQ(sparse.total_count(), h.total_count());
  EXPECT_EQ(sparse.min(), 3);
  EXPECT_EQ(sparse.max(), Histogram::kHighestTrackableNs - 12'345);
  ExpectSameHistogram(h, sparse.ToHistogram());

  // The memory bound: here ~1.5 bytes per occupied bucket (counts < 8192 take 2 bytes, most far
  // fewer 1) against the full histogram's 8 bytes per bucket, occupied or not. This spread (three
  // decades, ~1800 occupied buckets) is wider than a typical second of a run; ~2.6 KiB against 36 KiB.
  size_t occupied = 0;
  for (size_t i = 0; i < h.bucket_count(); ++i) occupied += h.count_at_index(i) != 0;
  EXPECT_EQ(sparse.occupied_buckets(), occupied);
  EXPECT_GT(occupied, 1000u);
  EXPECT_LE(sparse.encoded_bytes(), 2 * occupied);
  EXPECT_LT(sparse.encoded_bytes() * 12, h.bucket_count() * sizeof(uint64_t));
}

TEST(SparseHistogramTest, EmptyAndSingleBucket) {
  const SparseHistogram empty{Histogram()};
  EXPECT_EQ(empty.total_count(), 0u);
  EXPECT_EQ(empty.encoded_bytes(), 0u);
  EXPECT_EQ(empty.ToHistogram().total_count(), 0u);
  EXPECT_EQ(SparseHistogram().ToHistogram().total_count(), 0u);

  Histogram one;
  one.Record(1'000'003);
  ExpectSameHistogram(one, SparseHistogram(one).ToHistogram());

  // Min and max in the same bucket (width 4096 around 1 ms), with more recordings between them.
  Histogram same_bucket;
  same_bucket.Record(1'000'001);
  same_bucket.Record(1'000'002, 5);
  same_bucket.Record(1'000'003);
  ASSERT_EQ(Histogram::IndexOf(1'000'001), Histogram::IndexOf(1'000'003));
  const Histogram rebuilt = SparseHistogram(same_bucket).ToHistogram();
  ExpectSameHistogram(same_bucket, rebuilt);
  EXPECT_EQ(rebuilt.min(), 1'000'001);
  EXPECT_EQ(rebuilt.max(), 1'000'003);
}

TEST(SparseHistogramTest, LargeCountsAndBothEndsOfTheRange) {
  Histogram h;
  h.Record(0, uint64_t{1} << 40);
  h.Record(Histogram::kHighestTrackableNs * 2);  // clamped to the highest trackable value
  const SparseHistogram sparse(h);
  EXPECT_EQ(sparse.occupied_buckets(), 2u);
  ExpectSameHistogram(h, sparse.ToHistogram());
}

}  // namespace
}  // namespace bakeoff
