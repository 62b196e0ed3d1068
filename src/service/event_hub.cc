#include "service/event_hub.h"

namespace bakeoff {

void EventHub::Publish(const std::string& experiment_id, std::string type, std::string data) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ring_.push_back({++last_seq_, experiment_id, std::move(type), std::move(data)});
    while (ring_.size() > capacity_) ring_.pop_front();
  }
  changed_.notify_all();
}

std::vector<ServiceEvent> EventHub::Wait(const std::string& experiment_id, uint64_t after,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<ServiceEvent> out;
  while (true) {
    for (const ServiceEvent& e : ring_) {
      if (e.seq > after && e.experiment_id == experiment_id) out.push_back(e);
    }
    if (!out.empty() || closed_) return out;
    // Only newer events can match from here on.
    after = std::max(after, last_seq_);
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      for (const ServiceEvent& e : ring_) {
        if (e.seq > after && e.experiment_id == experiment_id) out.push_back(e);
      }
      return out;
    }
  }
}

uint64_t EventHub::last_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_seq_;
}

void EventHub::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool EventHub::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

}  // namespace bakeoff
