#include "env/local/server_kinds.h"

#include <algorithm>

namespace bakeoff {

// The registration list: one declaration and one entry per kind, each defined in its own file.
const ServerKind& RedisServerKind();       // redis_server.cc
const ServerKind& NatsServerKind();        // nats_server.cc
const ServerKind& RabbitmqServerKind();    // rabbitmq_server.cc
const ServerKind& MosquittoServerKind();   // mosquitto_server.cc
const ServerKind& KinesaliteServerKind();  // kinesalite_server.cc
const ServerKind& KafkaServerKind();       // kafka_server.cc

const std::vector<const ServerKind*>& AllServerKinds() {
  static const std::vector<const ServerKind*> kinds = {
      &RedisServerKind(),     &NatsServerKind(),       &RabbitmqServerKind(),
      &MosquittoServerKind(), &KinesaliteServerKind(), &KafkaServerKind(),
  };
  return kinds;
}

bool ServerKind::accepts(const std::string& option) const {
  return std::any_of(options.begin(), options.end(), [&](const OptionSpec& o) { return o.name == option; });
}

const ServerKind* FindServerKind(const std::string& name) {
  for (const ServerKind* kind : AllServerKinds()) {
    if (kind->name == name) return kind;
  }
  return nullptr;
}

const ServerKind* ServerKindForDriver(const std::string& driver) {
  for (const ServerKind* kind : AllServerKinds()) {
    if (std::find(kind->drivers.begin(), kind->drivers.end(), driver) != kind->drivers.end()) return kind;
  }
  return nullptr;
}

std::string JoinWithAnd(const std::vector<std::string>& words) {
  std::string text;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) text += i + 1 == words.size() ? " and " : ", ";
    text += words[i];
  }
  return text;
}

std::string ServerKindNames() {
  std::vector<std::string> names;
  for (const ServerKind* kind : AllServerKinds()) names.push_back(kind->name);
  return JoinWithAnd(names);
}

std::string ClusteringServerKindNames() {
  std::vector<std::string> names;
  for (const ServerKind* kind : AllServerKinds()) {
    if (kind->clusters()) names.push_back(kind->name);
  }
  return JoinWithAnd(names);
}

std::string DriverToServerText() {
  std::string text;
  for (const ServerKind* kind : AllServerKinds()) {
    if (kind->drivers.empty()) continue;
    text += (text.empty() ? "" : ", ") + JoinWithAnd(kind->drivers) + " -> " + kind->name;
  }
  return text;
}

}  // namespace bakeoff
