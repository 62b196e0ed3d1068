#include "service/submission.h"

#include <ctime>
#include <random>

#include "run/registry_schemas.h"

namespace bakeoff {

ParseOutcome ParseSubmission(const std::string& text, const std::string& label) {
  static const RegistrySchemas schemas;
  return ParseExperiment(text, label, schemas);
}

std::string NewExperimentId(const std::string& experiment_name, int64_t now_unix_ns) {
  const time_t seconds = static_cast<time_t>(now_unix_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  std::string name;
  for (char c : experiment_name) {
    if (name.size() >= 40) break;
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                       c == '-';
    name += plain ? c : '-';
  }
  if (name.empty()) name = "experiment";
  thread_local std::mt19937 random(std::random_device{}());
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%04x", static_cast<unsigned>(random() & 0xffff));
  return std::string(stamp) + "-" + name + "-" + suffix;
}

bool IsValidExperimentId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace bakeoff
