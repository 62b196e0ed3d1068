// Test-only checks shared by the driver integration tests: what a run that must have delivered every
// message exactly once, in order, with nothing failing, looks like in its metrics; and one whose server
// was killed in the middle.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "measure/run_metrics.h"

namespace bakeoff::testing {

// `messages` sent, acked and received, none lost, duplicated, reordered or unreadable, no error of any
// kind, and the run ended because the message cap was reached (not by a deadline).
inline void ExpectExactlyOnceInOrder(const RunMetrics& m, uint64_t messages) {
  const AccountingTotals& a = m.accounting;
  EXPECT_EQ(a.sent, messages);
  EXPECT_EQ(a.acked, messages);
  EXPECT_EQ(a.send_errors, 0u);
  EXPECT_EQ(a.received, messages);
  EXPECT_EQ(a.lost, 0u);
  EXPECT_EQ(a.duplicated, 0u);
  EXPECT_EQ(a.out_of_order, 0u);
  EXPECT_EQ(a.unparseable, 0u);
  for (const auto& [message, count] : m.errors.described()) ADD_FAILURE() << count << " x " << message;
  EXPECT_EQ(m.stop_reason(), "completed (message cap)");
}

// Fan-out: `messages` sent and acked once, and each of `subscriptions` subscriptions received every one
// exactly once, in order, in its own accounting; the run's received is the sum over subscriptions.
inline void ExpectFanoutExactlyOnceInOrder(const RunMetrics& m, uint64_t messages, int subscriptions) {
  const AccountingTotals& a = m.accounting;
  EXPECT_EQ(a.sent, messages);
  EXPECT_EQ(a.acked, messages);
  EXPECT_EQ(a.send_errors, 0u);
  EXPECT_EQ(a.received, messages * static_cast<uint64_t>(subscriptions));
  EXPECT_EQ(a.lost, 0u);
  EXPECT_EQ(a.duplicated, 0u);
  EXPECT_EQ(a.out_of_order, 0u);
  EXPECT_EQ(a.unparseable, 0u);
  ASSERT_EQ(m.subscriptions.size(), static_cast<size_t>(subscriptions));
  uint64_t e2e_counts = 0;
  for (int k = 0; k < subscriptions; ++k) {
    const SubscriptionMetrics& s = m.subscriptions[static_cast<size_t>(k)];
    EXPECT_EQ(s.index, k);
    EXPECT_EQ(s.accounting.sent, messages) << "subscription " << k;
    EXPECT_EQ(s.accounting.received, messages) << "subscription " << k;
    EXPECT_EQ(s.accounting.lost, 0u) << "subscription " << k;
    EXPECT_EQ(s.accounting.duplicated, 0u) << "subscription " << k;
    EXPECT_EQ(s.accounting.out_of_order, 0u) << "subscription " << k;
    EXPECT_GT(s.e2e.corrected.total_count(), 0u) << "subscription " << k;
    e2e_counts += s.e2e.corrected.total_count();
  }
  EXPECT_EQ(e2e_counts, m.e2e.corrected.total_count());
  for (const auto& [message, count] : m.errors.described()) ADD_FAILURE() << count << " x " << message;
  EXPECT_EQ(m.stop_reason(), "completed (message cap)");
}

// A run whose server was killed part-way: the sends after the kill failed and were counted as errors (more
// than `min_errors`), so fewer were acked than sent, and what was sent before the kill was delivered.
inline void ExpectKilledMidRunCounted(const RunMetrics& m, uint64_t min_errors = 1000) {
  uint64_t errors = 0;
  for (const auto& [message, count] : m.errors.described()) errors += count;
  EXPECT_GT(errors, min_errors) << "sends after the kill must fail and be counted";
  EXPECT_LT(m.accounting.acked, m.accounting.sent);
  EXPECT_GT(m.accounting.received, 1'000u) << "messages before the kill were delivered";
}

}  // namespace bakeoff::testing
