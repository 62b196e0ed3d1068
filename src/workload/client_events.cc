#include "workload/client_events.h"

#include <utility>

namespace bakeoff {

void ClientEventRecorder::OnRebalance(const std::string& client, const std::string& what) {
  if (!counting_.load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(mu_);
  errors_.AddEvent(ErrorPhase::kReceive, ClientEvent::kRebalance, client + ": " + what);
}

void ClientEventRecorder::OnClientError(const std::string& client, const Status& error) {
  if (!counting_.load(std::memory_order_relaxed) || error.ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  errors_.Add(ErrorPhase::kClient, error.code(), client + ": " + error.message());
}

ErrorCounts ClientEventRecorder::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(errors_, ErrorCounts());
}

}  // namespace bakeoff
