// Shared by the drivers: one bounded, jittered exponential backoff for retrying a connection or a
// request, and the guard that turns a client library's exception into a Status (no exception may leave a
// driver). Retrying is bounded twice, by attempts and by total time, so that a dead server costs a known
// wait and never hangs a run.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bakeoff::drivers_kit {

struct BackoffPolicy {
  std::chrono::nanoseconds initial{std::chrono::milliseconds(100)};  // the first pause
  double multiplier = 2;                                             // each pause is this much longer
  std::chrono::nanoseconds max_delay{std::chrono::seconds(5)};       // cap of one pause
  double jitter = 0.2;   // 0..1: a pause is drawn uniformly from [delay * (1 - jitter), delay]
  int max_attempts = 5;  // attempts in all, the first one included; <= 0: bounded by max_total only
  std::chrono::nanoseconds max_total{std::chrono::seconds(30)};  // since the first attempt
};

// The pauses between attempts. Not thread-safe: one per retry loop.
class Backoff {
 public:
  // `seed` 0 seeds from std::random_device; tests pass their own for repeatable jitter.
  explicit Backoff(const BackoffPolicy& policy, uint64_t seed = 0);
  // Call after each failed attempt: the pause before the next one, or nullopt when the attempts are used
  // up or the pause would end past max_total (then give up now rather than sleep in vain).
  std::optional<std::chrono::nanoseconds> NextDelay();
  int failed_attempts() const { return failed_; }
  std::chrono::nanoseconds elapsed() const { return std::chrono::steady_clock::now() - start_; }

 private:
  BackoffPolicy policy_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::nanoseconds next_;  // the next pause before jitter
  int failed_ = 0;
  std::mt19937_64 random_;
};

// kUnavailable and kTimeout: the server may come (back) up; anything else will not change by waiting.
bool IsRetriableConnectError(const Status& status);

// Runs `attempt` until it succeeds, fails with a status `retriable` refuses (returned as is), or the
// policy runs out; sleeps between attempts. Running out returns the last failure's code with the message
// "<what> <endpoint>: gave up after N attempts in X s; last: <last failure's message>".
Status RetryWithBackoff(const BackoffPolicy& policy, std::string_view what, std::string_view endpoint,
                        const std::function<Status()>& attempt,
                        const std::function<bool(const Status&)>& retriable = IsRetriableConnectError);

// Calls `connect` (returning a Status or a Result<T>); an exception it throws (client constructors of C++
// wrappers, std::bad_alloc) becomes kInternal "<what>: <exception's message>".
template <typename Connect>
auto ConnectOrStatus(std::string_view what, Connect&& connect) -> decltype(connect()) {
  try {
    return connect();
  } catch (const std::exception& e) {
    return Internal(std::string(what) + ": " + e.what());
  } catch (...) {
    return Internal(std::string(what) + ": unknown exception");
  }
}

}  // namespace bakeoff::drivers_kit
