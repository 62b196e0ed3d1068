// Options of the two NATS drivers: one settings struct each, bound once (spec/option_binding.h); the
// connection options both take live in a shared base struct.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "spec/option_binding.h"

namespace bakeoff {

struct NatsConnectionSettings {
  std::optional<std::string> url;  // comma-separated; else the environment's
  std::optional<std::string> user;
  std::optional<std::string> password;  // secret reference
  std::optional<std::string> token;     // secret reference
  std::optional<std::string> credentials_file;
  bool tls = false;
  std::chrono::nanoseconds connect_timeout{};
  int max_reconnect = 0;
  std::chrono::nanoseconds reconnect_wait{};
  int reconnect_buffer = 0;  // bytes
  int io_buffer = 0;         // bytes
  bool send_asap = false;
  std::chrono::nanoseconds ping_interval{};
};

struct NatsCoreSettings : NatsConnectionSettings {
  int pending_msgs_limit = 0;
  int pending_bytes_limit = 0;
  size_t poll_batch = 0;
  std::chrono::nanoseconds flush_interval{};
  std::chrono::nanoseconds flush_timeout{};
};

struct NatsJetStreamSettings : NatsConnectionSettings {
  std::string storage;     // file | memory
  int replicas = 0;        // 0 = the workload's replication factor
  std::string stream_per;  // topic | run
  int64_t max_pending = 0;
  std::chrono::nanoseconds stall_wait{};
  std::chrono::nanoseconds publish_ack_timeout{};
  std::string ack_mode;  // explicit | all | none
  int fetch_batch = 0;
  std::chrono::nanoseconds fetch_wait{};
  int64_t max_ack_pending = 0;
  std::chrono::nanoseconds ack_wait{};
  std::chrono::nanoseconds api_timeout{};
};

const OptionBinder<NatsCoreSettings>& NatsCoreOptions();
const OptionBinder<NatsJetStreamSettings>& NatsJetStreamOptions();

inline const OptionSchema& NatsCoreSchema() {
  return NatsCoreOptions().schema();
}
inline const OptionSchema& NatsJetStreamSchema() {
  return NatsJetStreamOptions().schema();
}

}  // namespace bakeoff
