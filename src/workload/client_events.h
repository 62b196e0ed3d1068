// ClientEventRecorder: the runner's ClientEventSink. Client events (rebalances, errors a client library
// retries by itself) that happen while the run is measuring go into the run's errors, keyed by phase
// and code like every other error: a rebalance as ("receive", "rebalance"), a library error as
// ("client", <status code>). Events before every consumer was ready (the group forming) and after the
// consumers were told to stop (members leaving) are expected, not counted; the driver logs them.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "drivers/driver.h"
#include "measure/error_counts.h"

namespace bakeoff {

class ClientEventRecorder final : public ClientEventSink {
 public:
  // Opens and closes the window in which events are counted; from the control thread.
  void set_counting(bool counting) { counting_.store(counting, std::memory_order_relaxed); }

  void OnRebalance(const std::string& client, const std::string& what) override;
  void OnClientError(const std::string& client, const Status& error) override;

  // What was counted so far.
  ErrorCounts Take();

 private:
  std::atomic<bool> counting_{false};
  std::mutex mu_;
  ErrorCounts errors_;
};

}  // namespace bakeoff
