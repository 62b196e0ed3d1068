#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

#include "results/result.h"

namespace bakeoff {

HostFacts CollectHostFacts() {
  HostFacts facts;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) facts.hostname = host;
  facts.cpu_count = static_cast<int>(std::thread::hardware_concurrency());
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) facts.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      facts.memory_bytes = std::stoll(line.substr(9)) * 1024;
      break;
    }
  }
  utsname u{};
  if (uname(&u) == 0) facts.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  return facts;
}

}  // namespace bakeoff
