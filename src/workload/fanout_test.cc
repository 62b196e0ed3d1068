// Fan-out through the runner on the memory driver: every subscription receives every message, and each
// subscription's accounting is its own (a fault in one subscription shows in that one's entry only).
#include <gtest/gtest.h>

#include "workload/testing/delivery_checks.h"
#include "workload/testing/memory_run.h"

namespace bakeoff {
namespace {

using testing::MemoryRun;

TEST(FanoutTest, EverySubscriptionReceivesEveryMessageOnce) {
  MemoryRun run;
  run.workload.rate.max = true;
  run.workload.messages = 30'000;
  run.workload.partitions = 4;
  run.workload.producers = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 2;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 30'000, 3);
}

TEST(FanoutTest, FixedRateEverySubscriptionKeepsUp) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.duration_ns = 1'000'000'000;
  run.workload.partitions = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 1;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const AccountingTotals& a = m->accounting;
  EXPECT_NEAR(static_cast<double>(a.sent), 10'000, 100);
  EXPECT_EQ(a.received, 3 * a.sent);
  EXPECT_EQ(a.lost, 0u);
  ASSERT_EQ(m->subscriptions.size(), 3u);
  for (const SubscriptionMetrics& s : m->subscriptions) {
    EXPECT_EQ(s.accounting.received, a.sent) << s.index;
    EXPECT_EQ(s.e2e.corrected.total_count(), s.accounting.received) << s.index;
    EXPECT_NEAR(m->received_msgs_per_s(s), 10'000, 1'000) << s.index;
  }
  // The run's received rate counts deliveries to every subscription.
  EXPECT_NEAR(m->received_msgs_per_s(), 30'000, 3'000);
  EXPECT_EQ(m->stop_reason(), "completed");
}

// drop_every with drop_subscription: only subscription 1 misses every 100th message of each producer;
// duplicate_every applies to every subscription (except where subscription 1 dropped the message).
TEST(FanoutTest, ASubscriptionThatMissesMessagesIsReportedInItsOwnEntry) {
  MemoryRun run;
  run.workload.rate.max = true;
  run.workload.messages = 30'000;  // 15'000 per producer
  run.workload.partitions = 3;
  run.workload.producers = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 2;
  // Subscription 1 may never get a stream's last message: the drain then ends at its timeout.
  run.workload.drain_timeout_ns = 2'000'000'000;
  run.system.options.Set("drop_every", int64_t{100});
  run.system.options.Set("drop_subscription", int64_t{1});
  run.system.options.Set("duplicate_every", int64_t{250});
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->subscriptions.size(), 3u);
  // Per producer: 150 dropped (n % 100), 60 duplicated (n % 250), 30 of those also dropped (n % 500).
  const uint64_t dropped = 2 * 150, duplicated = 2 * 60, both = 2 * 30;
  for (const SubscriptionMetrics& s : m->subscriptions) {
    SCOPED_TRACE("subscription " + std::to_string(s.index));
    EXPECT_EQ(s.accounting.sent, 30'000u);
    EXPECT_EQ(s.accounting.out_of_order, 0u);
    if (s.index == 1) {
      EXPECT_EQ(s.accounting.lost, dropped);
      EXPECT_EQ(s.accounting.duplicated, duplicated - both);
      EXPECT_EQ(s.accounting.received, 30'000u - dropped + duplicated - both);
    } else {
      EXPECT_EQ(s.accounting.lost, 0u);
      EXPECT_EQ(s.accounting.duplicated, duplicated);
      EXPECT_EQ(s.accounting.received, 30'000u + duplicated);
    }
  }
  const AccountingTotals& a = m->accounting;
  EXPECT_EQ(a.sent, 30'000u);
  EXPECT_EQ(a.lost, dropped);
  EXPECT_EQ(a.duplicated, 3 * duplicated - both);
  EXPECT_EQ(a.received, 3 * 30'000u - dropped + 3 * duplicated - both);
}

TEST(FanoutTest, OneSubscriptionKeepsTheRunsFiguresOnly) {
  MemoryRun run;
  run.workload.rate.max = true;
  run.workload.messages = 5'000;
  run.workload.consumers = 2;
  run.workload.partitions = 2;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->subscriptions.empty());
  EXPECT_EQ(m->accounting.received, 5'000u);
  EXPECT_EQ(m->accounting.lost, 0u);
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

// A backlog with two subscriptions: built and drained by the slowest subscription's own count (not the
// deliveries summed over subscriptions, which would call it drained at half), every subscription exact.
TEST(FanoutTest, BacklogIsBuiltAndDrainedPerSubscription) {
  testing::MemoryRun run;
  run.workload.partitions = 2;
  run.workload.subscriptions = 2;
  run.workload.rate.msgs_per_s = 50'000;
  run.workload.duration_ns = 500'000'000;
  run.workload.backlog = BacklogSpec{.messages = 20'000, .drain_ratio = 1.0, .max_drain_ns = 20'000'000'000};
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(m->backlog.has_value());
  const BacklogMetrics& b = *m->backlog;
  EXPECT_GE(b.messages, 20'000u);
  EXPECT_LT(b.messages, 22'000u);  // one subscription's backlog, not the two summed
  EXPECT_TRUE(b.drained);
  EXPECT_GT(b.drain_s, 0);
  EXPECT_GT(b.drain_read_per_s, 50'000);  // faster than the producers, or it never drains
  const AccountingTotals& a = m->accounting;
  EXPECT_EQ(a.lost, 0u);
  EXPECT_EQ(a.received, 2 * a.sent);
  ASSERT_EQ(m->subscriptions.size(), 2u);
  for (const SubscriptionMetrics& s : m->subscriptions) EXPECT_EQ(s.accounting.received, a.sent) << s.index;
}

}  // namespace
}  // namespace bakeoff
