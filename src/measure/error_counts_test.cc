#include "measure/error_counts.h"

#include <gtest/gtest.h>

namespace bakeoff {
namespace {

TEST(ErrorCountsTest, KeyedByPhaseAndCodeNotByText) {
  ErrorCounts counts;
  for (int i = 0; i < 10'000; ++i)
    counts.Add(ErrorPhase::kSend, Unavailable("broker down at offset " + std::to_string(i)));
  counts.Add(ErrorPhase::kSend, Timeout("message timed out"), 3);
  counts.Add(ErrorPhase::kReceive, Unavailable("poll failed"));
  EXPECT_EQ(counts.size(), 3u);  // 10,000 distinct messages, one entry
  EXPECT_EQ(counts.total(), 10'004u);
  EXPECT_EQ(counts.total(ErrorPhase::kSend), 10'003u);
  const std::vector<ErrorCount> entries = counts.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].example, "broker down at offset 0");  // the first one is the example
  EXPECT_EQ(ErrorCounts::Describe(entries[0]), "send: unavailable: broker down at offset 0");
}

TEST(ErrorCountsTest, MergeAddsCountsAndKeepsTheFirstExample) {
  ErrorCounts a;
  ErrorCounts b;
  a.Add(ErrorPhase::kFlush, Timeout("first"), 2);
  b.Add(ErrorPhase::kFlush, Timeout("second"), 5);
  b.Add(ErrorPhase::kClose, Internal("close"), 0);  // nothing happened: no entry
  a.Merge(b);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a.entries()[0].count, 7u);
  EXPECT_EQ(a.entries()[0].example, "first");
}

}  // namespace
}  // namespace bakeoff
