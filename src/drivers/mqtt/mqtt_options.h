// The mqtt driver's options: one settings struct, bound once (spec/option_binding.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "spec/option_binding.h"

namespace bakeoff::mqtt {

struct MqttSettings {
  std::optional<std::string> url;  // overrides the environment's endpoint
  std::string username;
  std::optional<std::string> password;  // a secret reference
  int qos = 0;
  bool clean_session = false;
  int max_inflight_messages = 0;
  size_t max_queued_messages = 0;
  std::chrono::seconds keepalive{};
  std::chrono::milliseconds connect_timeout{};
};

const OptionBinder<MqttSettings>& MqttOptions();

}  // namespace bakeoff::mqtt
