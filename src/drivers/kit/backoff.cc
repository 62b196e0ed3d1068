#include "drivers/kit/backoff.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace bakeoff::drivers_kit {

Backoff::Backoff(const BackoffPolicy& policy, uint64_t seed)
    : policy_(policy),
      start_(std::chrono::steady_clock::now()),
      next_(std::max(policy.initial, std::chrono::nanoseconds(0))),
      random_(seed != 0 ? seed : std::random_device{}()) {}

std::optional<std::chrono::nanoseconds> Backoff::NextDelay() {
  ++failed_;
  if (policy_.max_attempts > 0 && failed_ >= policy_.max_attempts) return std::nullopt;
  std::chrono::nanoseconds delay = std::min(next_, policy_.max_delay);
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter > 0 && delay.count() > 0) {
    std::uniform_real_distribution<double> scale(1.0 - jitter, 1.0);
    delay =
        std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(delay.count()) * scale(random_)));
  }
  if (elapsed() + delay > policy_.max_total) return std::nullopt;
  const double grown = static_cast<double>(next_.count()) * std::max(1.0, policy_.multiplier);
  next_ = grown >= static_cast<double>(policy_.max_delay.count())
              ? policy_.max_delay
              : std::chrono::nanoseconds(static_cast<int64_t>(grown));
  return delay;
}

bool IsRetriableConnectError(const Status& status) {
  return status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kTimeout;
}

Status RetryWithBackoff(const BackoffPolicy& policy, std::string_view what, std::string_view endpoint,
                        const std::function<Status()>& attempt,
                        const std::function<bool(const Status&)>& retriable) {
  Backoff backoff(policy);
  for (;;) {
    Status st = attempt();
    if (st.ok() || !retriable(st)) return st;
    std::optional<std::chrono::nanoseconds> delay = backoff.NextDelay();
    if (!delay) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f",
                    std::chrono::duration<double>(backoff.elapsed()).count());
      return Status(st.code(), std::string(what) + " " + std::string(endpoint) + ": gave up after " +
                                   std::to_string(backoff.failed_attempts()) + " attempts in " + seconds +
                                   " s; last: " + st.message());
    }
    std::this_thread::sleep_for(*delay);
  }
}

}  // namespace bakeoff::drivers_kit
