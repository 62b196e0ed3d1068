#include "base/client_log.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace bakeoff {
namespace {

struct ClientLogQueue {
  std::mutex mu;
  std::vector<std::string> lines;
  size_t dropped = 0;
};

ClientLogQueue& Queue() {
  static ClientLogQueue* queue = new ClientLogQueue();  // never destroyed: library threads may outlive main
  return *queue;
}

}  // namespace

const char* SyslogLevelName(int level) {
  static const char* const kNames[] = {"emerg",   "alert",  "crit", "error",
                                       "warning", "notice", "info", "debug"};
  return kNames[std::clamp(level, 0, 7)];
}

void PostClientLog(const char* library, int syslog_level, const std::string& client,
                   const std::string& text) {
  std::string line = std::string(library) + " " + SyslogLevelName(syslog_level) + " [" + client + "] " + text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  ClientLogQueue& q = Queue();
  std::lock_guard<std::mutex> lock(q.mu);
  if (q.lines.size() >= kClientLogCapacity) {
    ++q.dropped;
    return;
  }
  q.lines.push_back(std::move(line));
}

std::vector<std::string> TakeClientLog() {
  ClientLogQueue& q = Queue();
  std::vector<std::string> out;
  size_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(q.mu);
    out.swap(q.lines);
    std::swap(dropped, q.dropped);
  }
  if (dropped > 0) out.push_back(std::to_string(dropped) + " more client library log lines were dropped");
  return out;
}

}  // namespace bakeoff
