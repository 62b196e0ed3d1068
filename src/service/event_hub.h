// Fan-out of server events (state changes, progress, log lines) to the SSE streams. Publishers never
// block on subscribers: events go to a bounded ring and each subscriber reads at its own pace from the
// sequence number it has seen (a subscriber that falls more than the ring behind skips ahead).
//
// Threads: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace bakeoff {

struct ServiceEvent {
  uint64_t seq = 0;
  std::string experiment_id;
  std::string type;  // "state" | "progress" | "log" | "end"
  std::string data;  // JSON text
};

class EventHub {
 public:
  explicit EventHub(size_t capacity = 4096) : capacity_(capacity) {}

  void Publish(const std::string& experiment_id, std::string type, std::string data);
  // The events of `experiment_id` with seq > `after`; waits up to `timeout` for the first one.
  std::vector<ServiceEvent> Wait(const std::string& experiment_id, uint64_t after,
                                 std::chrono::milliseconds timeout);
  uint64_t last_seq() const;
  // Wakes every waiter; later Waits return at once (the server is stopping).
  void Close();
  bool closed() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ServiceEvent> ring_;
  uint64_t last_seq_ = 0;
  bool closed_ = false;
};

}  // namespace bakeoff
