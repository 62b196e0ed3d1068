// The redis-streams driver's options: one settings struct, bound once (spec/option_binding.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "spec/option_binding.h"

namespace bakeoff::redis {

struct RedisSettings {
  std::optional<std::string> url;       // overrides the environment's endpoint
  std::optional<std::string> username;  // ACL user
  std::optional<std::string> password;  // a secret reference, resolved at connect time
  size_t pipeline = 0;
  std::optional<int64_t> maxlen;
  int64_t read_count = 0;
  int64_t block_ms = 0;
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds command_timeout{};
};

const OptionBinder<RedisSettings>& RedisOptions();

}  // namespace bakeoff::redis
