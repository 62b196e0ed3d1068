// Test-only checks shared by the driver integration tests: what a run that must have delivered every
// message exactly once, in order, with nothing failing, looks like in its metrics.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "workload/run_metrics.h"

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
  for (const auto& [message, count] : m.errors) ADD_FAILURE() << count << " x " << message;
  EXPECT_EQ(m.stop_reason, "completed (message cap)");
}

}  // namespace bakeoff::testing
