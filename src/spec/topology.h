// What an environment and a driver agree on for one run: where the system listens (endpoints) and
// which topics the run uses. Both env/ and drivers/ use it; neither owns it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bakeoff {

// Connection details an environment hands to a driver, e.g. {"bootstrap_servers": "127.0.0.1:9092"}.
using Endpoints = std::map<std::string, std::string>;

struct TopicLayout {
  std::vector<std::string> topics;  // names, unique per run
  int partitions = 1;               // per topic
  int replication_factor = 1;
};

}  // namespace bakeoff
