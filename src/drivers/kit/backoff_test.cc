#include "drivers/kit/backoff.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace bakeoff::drivers_kit {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, PausesGrowToTheCapWithinTheJitter) {
  BackoffPolicy policy{.initial = 10ms,
                       .multiplier = 2,
                       .max_delay = 50ms,
                       .jitter = 0.25,
                       .max_attempts = 0,
                       .max_total = 3600s};
  Backoff backoff(policy, /*seed=*/42);
  const std::chrono::nanoseconds expected[] = {10ms, 20ms, 40ms, 50ms, 50ms, 50ms};
  for (std::chrono::nanoseconds full : expected) {
    std::optional<std::chrono::nanoseconds> d = backoff.NextDelay();
    ASSERT_TRUE(d.has_value());
    EXPECT_LE(*d, full);
    EXPECT_GE(*d, full * 3 / 4);
  }
}

TEST(BackoffTest, WithoutJitterThePausesAreExact) {
  Backoff backoff({.initial = 5ms,
                   .multiplier = 3,
                   .max_delay = 100ms,
                   .jitter = 0,
                   .max_attempts = 0,
                   .max_total = 3600s});
  EXPECT_EQ(backoff.NextDelay(), std::chrono::nanoseconds(5ms));
  EXPECT_EQ(backoff.NextDelay(), std::chrono::nanoseconds(15ms));
  EXPECT_EQ(backoff.NextDelay(), std::chrono::nanoseconds(45ms));
  EXPECT_EQ(backoff.NextDelay(), std::chrono::nanoseconds(100ms));
}

TEST(BackoffTest, AttemptsAreBounded) {
  Backoff backoff({.initial = 1ms, .max_attempts = 3, .max_total = 3600s});
  EXPECT_TRUE(backoff.NextDelay().has_value());   // after attempt 1
  EXPECT_TRUE(backoff.NextDelay().has_value());   // after attempt 2
  EXPECT_FALSE(backoff.NextDelay().has_value());  // attempt 3 was the last
  EXPECT_EQ(backoff.failed_attempts(), 3);
}

TEST(BackoffTest, NoPauseEndsPastTheTotalTime) {
  Backoff backoff({.initial = 200ms, .jitter = 0, .max_attempts = 0, .max_total = 100ms});
  EXPECT_FALSE(backoff.NextDelay().has_value());
}

TEST(RetryWithBackoffTest, RetriesUntilSuccess) {
  int calls = 0;
  Status st = RetryWithBackoff({.initial = 1ms, .max_attempts = 5, .max_total = 10s}, "redis: connect to",
                               "127.0.0.1:1", [&] {
                                 ++calls;
                                 return calls < 3 ? Unavailable("connection refused") : Status::Ok();
                               });
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(calls, 3);
}

TEST(RetryWithBackoffTest, GivesUpWithinAttemptsAndTimeNamingTheEndpointAndTheLastCause) {
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  Status st = RetryWithBackoff(
      {.initial = 2ms, .multiplier = 2, .max_delay = 10ms, .max_attempts = 4, .max_total = 5s},
      "mqtt: connect to", "127.0.0.1:1", [&] {
        ++calls;
        return Unavailable("refused #" + std::to_string(calls));
      });
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("mqtt: connect to 127.0.0.1:1"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("after 4 attempts"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("last: refused #4"), std::string::npos) << st.message();
  EXPECT_LT(took, 2s);  // 2 + 4 + 8 ms of pauses, generous for a loaded machine

  // The total time bounds it too: pauses of 50 ms, 300 ms in all -> far fewer than 1000 attempts.
  calls = 0;
  const auto start2 = std::chrono::steady_clock::now();
  st = RetryWithBackoff(
      {.initial = 50ms, .multiplier = 1, .jitter = 0, .max_attempts = 1000, .max_total = 300ms},
      "nats: connect to", "127.0.0.1:2", [&] {
        ++calls;
        return Timeout("no INFO");
      });
  const auto took2 = std::chrono::steady_clock::now() - start2;
  EXPECT_FALSE(st.ok());
  EXPECT_LE(calls, 7);
  EXPECT_GE(calls, 2);
  EXPECT_LT(took2, 300ms + 1s);
  EXPECT_NE(st.message().find("last: no INFO"), std::string::npos) << st.message();
}

TEST(RetryWithBackoffTest, AnErrorThatWaitingWillNotFixReturnsAtOnce) {
  int calls = 0;
  Status st = RetryWithBackoff({.initial = 1ms}, "redis: connect to", "127.0.0.1:1", [&] {
    ++calls;
    return Unauthenticated("AUTH refused");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(st.message(), "AUTH refused");
}

TEST(ConnectOrStatusTest, ExceptionsBecomeStatusesNamingTheStep) {
  Result<int> thrown =
      ConnectOrStatus("redis: connect", []() -> Result<int> { throw std::runtime_error("boom"); });
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_EQ(thrown.status().message(), "redis: connect: boom");
  Result<int> fine = ConnectOrStatus("redis: connect", []() -> Result<int> { return 7; });
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(*fine, 7);
  Status plain = ConnectOrStatus("mqtt: probe", []() -> Status { throw 3; });
  EXPECT_EQ(plain.message(), "mqtt: probe: unknown exception");
  Status passed = ConnectOrStatus("mqtt: probe", [] { return Unavailable("down"); });
  EXPECT_EQ(passed.message(), "down");
}

}  // namespace
}  // namespace bakeoff::drivers_kit
