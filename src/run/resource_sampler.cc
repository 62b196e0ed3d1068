#include "run/resource_sampler.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "measure/clock.h"

namespace bakeoff {

bool ReadProc(int pid, ProcReading& out) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream stat(base + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // The command name (field 2) may hold spaces: fields resume after its closing parenthesis.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string state;
  fields >> state;
  if (state == "Z" || state == "X") return false;
  unsigned long long value = 0, utime = 0, stime = 0;
  // Fields 4..13 precede utime (14) and stime (15); we are at field 4 now.
  for (int field = 4; field <= 13; ++field) fields >> value;
  fields >> utime >> stime;
  static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
  out.cpu_seconds = static_cast<double>(utime + stime) / kTicks;

  std::ifstream status(base + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      out.rss_bytes = std::stoll(line.substr(6)) * 1024;
      break;
    }
  }
  std::ifstream io(base + "/io");  // readable for our own children, or as root
  while (std::getline(io, line)) {
    if (line.rfind("write_bytes:", 0) == 0) {
      out.write_bytes = std::stoll(line.substr(12));
      break;
    }
  }
  return true;
}

ResourceSampler::ResourceSampler(const std::vector<ServerProcess>& processes, int interval_ms)
    : interval_ms_(interval_ms), start_ns_(MonotonicNowNs()) {
  for (const ServerProcess& p : processes) {
    Tracked t;
    t.usage.name = p.name;
    t.usage.pid = p.pid;
    tracked_.push_back(std::move(t));
  }
  if (tracked_.empty()) return;
  SampleOnce(0);
  thread_ = std::thread([this] { Loop(); });
}

ResourceSampler::~ResourceSampler() {
  (void)Stop();
}

void ResourceSampler::Loop() {
  int64_t next = start_ns_ + static_cast<int64_t>(interval_ms_) * 1'000'000;
  while (!stop_.load()) {
    const int64_t now = MonotonicNowNs();
    if (now < next) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(next - now, 50'000'000)));
      continue;
    }
    next += static_cast<int64_t>(interval_ms_) * 1'000'000;
    SampleOnce(static_cast<double>(now - start_ns_) / 1e9);
  }
}

void ResourceSampler::SampleOnce(double t_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Tracked& t : tracked_) {
    if (t.usage.vanished) continue;
    ProcReading r;
    if (!ReadProc(t.usage.pid, r)) {
      t.usage.vanished = true;
      continue;
    }
    if (!t.started) {
      t.first = r;
      t.started = true;
    } else {
      const double dt = t_s - t.last_t_s;
      ProcessSample s;
      s.t_s = t_s;
      s.cpu_percent = dt > 0 ? 100.0 * (r.cpu_seconds - t.last.cpu_seconds) / dt : 0;
      s.rss_bytes = r.rss_bytes;
      s.write_bytes = r.write_bytes - t.first.write_bytes;
      t.usage.series.push_back(s);
    }
    t.last = r;
    t.last_t_s = t_s;
    t.usage.cpu_seconds = r.cpu_seconds - t.first.cpu_seconds;
    t.usage.max_rss_bytes = std::max(t.usage.max_rss_bytes, r.rss_bytes);
    t.usage.bytes_written = r.write_bytes - t.first.write_bytes;
  }
}

std::vector<ProcessUsage> ResourceSampler::Stop() {
  if (!stop_.exchange(true) && thread_.joinable()) {
    thread_.join();
    SampleOnce(static_cast<double>(MonotonicNowNs() - start_ns_) / 1e9);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ProcessUsage> out;
  for (const Tracked& t : tracked_) out.push_back(t.usage);
  return out;
}

}  // namespace bakeoff
