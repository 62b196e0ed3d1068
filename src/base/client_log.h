// The client log: lines that client libraries log from their own threads (librdkafka's log callback),
// held until a run's thread hands them to the run's log (RunContext::on_log), so that a C library never
// writes to bakeoff's stderr itself.
//
// Threads: PostClientLog() may be called from any thread, including a library's internal ones; it only
// appends under a mutex held for that, never blocks on I/O, and keeps at most kClientLogCapacity lines
// (later ones are counted as dropped). TakeClientLog() is for the thread that writes the run's log.
//
// Process-wide, as the libraries' callbacks are: with two experiments running side by side in one
// process (the HTTP server), a line may reach the other experiment's log.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bakeoff {

inline constexpr size_t kClientLogCapacity = 1000;

// "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug" for syslog levels 0..7;
// levels out of range are clamped.
const char* SyslogLevelName(int level);

// Queues "<library> <level name> [<client>] <text>", e.g.
// "librdkafka warning [bakeoff-c0] FAIL: 127.0.0.1:9092/1: Connect to ipv4#127.0.0.1:9092 failed".
void PostClientLog(const char* library, int syslog_level, const std::string& client, const std::string& text);

// The queued lines, oldest first, and empties the queue. When lines were dropped since the last call, the
// last line says how many.
std::vector<std::string> TakeClientLog();

}  // namespace bakeoff
