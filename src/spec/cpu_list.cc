#include "spec/cpu_list.h"

#include <unistd.h>

#include <sstream>

namespace bakeoff {

Result<std::vector<int>> ParseCpuList(const std::string& text) {
  std::vector<int> cpus;
  std::istringstream in(text);
  std::string part;
  const long online = sysconf(_SC_NPROCESSORS_CONF);
  while (std::getline(in, part, ',')) {
    int first = 0, last = 0;
    char dash = 0;
    std::istringstream p(part);
    if (!(p >> first))
      return InvalidArgument("cpus: `" + text + "` is not a CPU list such as 1, 0-1 or 0,2-3");
    last = first;
    if (p >> dash) {
      if (dash != '-' || !(p >> last)) {
        return InvalidArgument("cpus: `" + text + "` is not a CPU list such as 1, 0-1 or 0,2-3");
      }
    }
    if (first < 0 || last < first || last >= online) {
      return InvalidArgument("cpus: `" + text + "` names CPUs outside 0-" + std::to_string(online - 1));
    }
    for (int c = first; c <= last; ++c) cpus.push_back(c);
  }
  if (cpus.empty()) return InvalidArgument("cpus: empty CPU list");
  return cpus;
}

}  // namespace bakeoff
