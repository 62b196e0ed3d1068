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

// A client event (a rebalance) is an entry of its own beside the failures of its phase, named by the event
// in place of a status code, and merges like any other entry.
TEST(ErrorCountsTest, ClientEventsAreKeyedByTheirOwnCode) {
  ErrorCounts a;
  a.Add(ErrorPhase::kReceive, Unavailable("poll failed"));
  a.AddEvent(ErrorPhase::kReceive, ClientEvent::kRebalance, "bakeoff-c0: revoked 4 partitions (eager)");
  ErrorCounts b;
  b.AddEvent(ErrorPhase::kReceive, ClientEvent::kRebalance, "bakeoff-c1: assigned 2 partitions (eager)", 2);
  a.Merge(b);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.total(ErrorPhase::kReceive), 4u);
  const std::vector<ErrorCount> entries = a.entries();
  EXPECT_STREQ(ErrorCodeName(entries[0]), "unavailable");
  EXPECT_EQ(entries[1].event, ClientEvent::kRebalance);
  EXPECT_EQ(entries[1].count, 3u);
  EXPECT_STREQ(ErrorCodeName(entries[1]), "rebalance");
  EXPECT_EQ(ErrorCounts::Describe(entries[1]),
            "receive: rebalance: bakeoff-c0: revoked 4 partitions (eager)");
  EXPECT_STREQ(ErrorPhaseName(ErrorPhase::kClient), "client");
}

}  // namespace
}  // namespace bakeoff
