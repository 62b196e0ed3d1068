// The OMB driver file -> one bakeoff system. OMB names the system by `driverClass` and puts that
// driver's client settings beside it at the top level (OMB's Kafka, NATS, RabbitMQ and Redis config
// classes); Kafka's settings are Java properties texts, mapped to bakeoff's typed options where one
// exists and passed through to librdkafka otherwise.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "spec/internal/suggest.h"
#include "spec/omb/omb_mapping.h"
#include "spec/secrets.h"

namespace bakeoff::omb_internal {
namespace {

using spec_internal::Field;
using spec_internal::FindEntry;
using spec_internal::MapEntry;
using spec_internal::Reader;

enum class Kind { kKafka, kRedis, kJetStream, kRabbitMq };

struct DriverClass {
  const char* class_name;
  Kind kind;
  const char* driver;             // bakeoff driver
  std::vector<std::string> keys;  // besides name and driverClass
};

const std::vector<DriverClass>& DriverClasses() {
  static const std::vector<DriverClass> classes = {
      {"io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver",
       Kind::kKafka,
       "kafka",
       {"replicationFactor", "topicConfig", "commonConfig", "producerConfig", "consumerConfig"}},
      {"io.openmessaging.benchmark.driver.redis.RedisBenchmarkDriver",
       Kind::kRedis,
       "redis-streams",
       {"redisHost", "redisPort", "redisUser", "redisPass", "jedisPoolMaxTotal", "jedisPoolMaxIdle"}},
      // OMB's "nats" driver publishes to and consumes from JetStream streams (durable consumers).
      {"io.openmessaging.benchmark.driver.nats.NatsBenchmarkDriver",
       Kind::kJetStream,
       "nats-jetstream",
       {"natsHostUrl", "replicationFactor", "storageType", "maxBytes"}},
      {"io.openmessaging.benchmark.driver.rabbitmq.RabbitMqBenchmarkDriver",
       Kind::kRabbitMq,
       "rabbitmq",
       {"amqpUris", "messagePersistence", "queueType", "producerCreationDelay", "producerCreationBatchSize",
        "consumerCreationDelay", "consumerCreationBatchSize"}},
  };
  return classes;
}

// A Kafka property bakeoff has a typed option for.
struct TypedProperty {
  const char* option;
  enum class Type { kText, kLower, kAcks, kInt, kBytes, kMillis, kBool } type;
};

const std::map<std::string, TypedProperty>& TypedProperties() {
  using T = TypedProperty::Type;
  static const std::map<std::string, TypedProperty> table = {
      {"bootstrap.servers", {"bootstrap_servers", T::kText}},
      {"security.protocol", {"security_protocol", T::kLower}},
      {"sasl.mechanism", {"sasl_mechanism", T::kText}},
      {"acks", {"acks", T::kAcks}},
      {"linger.ms", {"linger_ms", T::kInt}},
      {"batch.size", {"batch_size", T::kBytes}},
      {"compression.type", {"compression", T::kLower}},
      {"enable.idempotence", {"enable_idempotence", T::kBool}},
      {"max.in.flight.requests.per.connection", {"max_in_flight", T::kInt}},
      {"delivery.timeout.ms", {"delivery_timeout", T::kMillis}},
      {"fetch.min.bytes", {"fetch_min_bytes", T::kBytes}},
      {"fetch.max.wait.ms", {"fetch_max_wait_ms", T::kInt}},
      {"max.partition.fetch.bytes", {"max_partition_fetch_bytes", T::kBytes}},
      {"fetch.max.bytes", {"fetch_max_bytes", T::kBytes}},
      {"session.timeout.ms", {"session_timeout", T::kMillis}},
  };
  return table;
}

// Kafka properties of OMB files that do not apply to bakeoff's client, and why.
const std::map<std::string, std::string>& NotAppliedProperties() {
  static const std::map<std::string, std::string> table = {
      {"key.serializer", "Java client only; bakeoff sends bytes"},
      {"value.serializer", "Java client only; bakeoff sends bytes"},
      {"key.deserializer", "Java client only; bakeoff reads bytes"},
      {"value.deserializer", "Java client only; bakeoff reads bytes"},
      {"buffer.memory", "Java client only; bakeoff's queue_max_messages bounds the client's queue"},
      {"group.id", "set by bakeoff: one consumer group per subscription"},
      {"client.id", "set by bakeoff"},
      {"enable.auto.commit", "set by bakeoff"},
      {"auto.commit.interval.ms", "set by bakeoff"},
      {"auto.offset.reset", "set by bakeoff: consumers read each topic from its start"},
      {"partition.assignment.strategy", "Java class names; see bakeoff's assignment_strategy option"},
  };
  return table;
}

bool LooksSecret(const std::string& key) {
  for (const char* word : {"password", "secret", "jaas", "token", "key.pem"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Option {
  std::string key;
  std::string value;  // YAML text
  std::string comment;
};

struct MapOption {
  std::string key;
  std::string comment;
  std::vector<Option> entries;
};

class DriverMapper {
 public:
  DriverMapper(Reader& reader, const std::string& file_name, const std::string& text,
               const OmbImportOptions& options, DriverMapping& out)
      : reader_(reader), file_name_(file_name), text_(text), options_(options), out_(out) {}

  void Map(const YAML::Node& root) {
    Field field{root, root.Mark(), ""};
    if (!root.IsMap()) {
      reader_.Report(
          field.mark, "",
          "an OpenMessaging Benchmark driver file must be a map with `name` and `driverClass`, found " +
              Reader::Describe(root));
      return;
    }
    const DriverClass* driver_class = FindClass(field);
    if (driver_class == nullptr) return;
    std::vector<std::string> keys = {"name", "driverClass"};
    keys.insert(keys.end(), driver_class->keys.begin(), driver_class->keys.end());
    auto entries = reader_.ReadMap(field, &keys,
                                   std::string("in an OpenMessaging Benchmark ") + driver_class->driver +
                                       " driver file (" + driver_class->class_name + ")");
    if (!entries) return;
    entries_ = &*entries;
    out_.driver = driver_class->driver;
    switch (driver_class->kind) {
      case Kind::kKafka:
        MapKafka();
        break;
      case Kind::kRedis:
        MapRedis();
        break;
      case Kind::kJetStream:
        MapJetStream();
        break;
      case Kind::kRabbitMq:
        MapRabbitMq();
        break;
    }
    if (options_.environment == "embedded" && driver_class->kind != Kind::kKafka) {
      reader_.Report(class_mark_, "driverClass",
                     "--environment embedded exists only for Kafka driver files (librdkafka's mock cluster); "
                     "use --environment local to start a " +
                         std::string(driver_class->driver) + " server on this machine");
    }
    Render(*driver_class);
  }

 private:
  const DriverClass* FindClass(const Field& root) {
    const YAML::Node node = root.node["driverClass"];
    if (!node) {
      reader_.Report(root.mark, "driverClass",
                     "missing `driverClass`: the OMB driver, e.g. "
                     "io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver");
      return nullptr;
    }
    class_mark_ = node.Mark();
    const Field class_field{node, node.Mark(), "driverClass"};
    auto name = reader_.ReadScalar(class_field, "an OMB driver class name");
    if (!name) return nullptr;
    class_line_ = LineOf(reader_, node.Mark());
    class_name_ = *name;
    for (const DriverClass& c : DriverClasses()) {
      if (*name == c.class_name) return &c;
    }
    // io.openmessaging.benchmark.driver.<package>.<Class>: name the system by its package.
    std::string system = *name;
    const std::string prefix = "io.openmessaging.benchmark.driver.";
    if (system.rfind(prefix, 0) == 0)
      system = system.substr(prefix.size(), system.find('.', prefix.size()) - prefix.size());
    std::vector<std::string> known;
    for (const DriverClass& c : DriverClasses()) known.push_back(c.class_name);
    reader_.Report(node.Mark(), "driverClass",
                   "the OMB driver `" + system + "` (" + *name +
                       ") has no bakeoff equivalent; bakeoff imports OMB driver files for Kafka, Redis, NATS "
                       "JetStream and RabbitMQ",
                   spec_internal::DidYouMean(*name, known));
    return nullptr;
  }

  const MapEntry* Find(const std::string& key) const { return FindEntry(*entries_, key); }
  std::string From(const MapEntry& entry) const {
    std::string value = entry.value.node.IsScalar() ? entry.value.node.Scalar() : "...";
    if (value.find('\n') != std::string::npos) value = "...";
    return "OMB " + entry.key + ": " + value + " (" + LineOf(reader_, entry.key_mark) + ")";
  }
  bool Existing() const { return options_.environment == "existing"; }
  std::string Ignored() const {
    return "ignored: --environment " + options_.environment + " starts the system on this machine";
  }

  void SetOption(const std::string& key, const std::string& value, const std::string& comment) {
    for (Option& o : options_list_) {
      if (o.key == key) {
        o = {key, value, comment + "; overrides an earlier setting"};
        return;
      }
    }
    options_list_.push_back({key, value, comment});
  }
  MapOption& MapOptionNamed(const std::string& key, const std::string& comment) {
    for (MapOption& m : maps_) {
      if (m.key == key) return m;
    }
    maps_.push_back({key, comment, {}});
    return maps_.back();
  }
  void Note(const std::string& comment) { notes_.push_back(comment); }

  std::optional<int64_t> ReadInt(const char* key, int64_t min, int64_t max) {
    const MapEntry* entry = Find(key);
    if (entry == nullptr) return std::nullopt;
    return reader_.ReadInt(entry->value, min, max);
  }

  // ---- Kafka -------------------------------------------------------------------------------------

  void MapKafka() {
    if (const MapEntry* entry = Find("replicationFactor")) {
      if (auto factor = reader_.ReadInt(entry->value, 1, 32)) {
        replication_ = *factor;
        SetOption("replication_factor", std::to_string(*factor), From(*entry));
      }
    }
    bool has_bootstrap = false;
    for (const char* section : {"commonConfig", "producerConfig", "consumerConfig"}) {
      if (const MapEntry* entry = Find(section)) has_bootstrap |= MapKafkaProperties(*entry, section);
    }
    if (const MapEntry* entry = Find("topicConfig")) {
      MapOption& topic = MapOptionNamed("topic_config", From(*entry));
      ForEachProperty(*entry, [&](const std::string& key, const std::string& value, const YAML::Mark& mark) {
        topic.entries.push_back(
            {Quoted(key), Quoted(value), key + "=" + value + " (" + LineOf(reader_, mark) + ")"});
      });
    }
    if (Existing() && !has_bootstrap) {
      reader_.Report(class_mark_, "commonConfig",
                     "the driver file names no broker (bootstrap.servers in commonConfig) for --environment "
                     "existing; add it, or use --environment local or embedded");
    }
  }

  // Java properties text: `key=value` (or `key: value`) lines, `#` and `!` comments.
  template <typename Visit>
  void ForEachProperty(const MapEntry& entry, Visit visit) {
    auto text = reader_.ReadScalar(entry.value, "Java properties lines such as `acks=all`");
    if (!text) return;
    YAML::Mark mark = entry.value.mark;
    // A block scalar (`|`) starts on the line after its indicator.
    const size_t pos = static_cast<size_t>(std::max(0, mark.pos));
    const bool block = pos < text_.size() && (text_[pos] == '|' || text_[pos] == '>');
    int line = mark.line + (block ? 1 : 0);
    size_t start = 0;
    while (start <= text->size()) {
      size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string raw = text->substr(start, end - start);
      YAML::Mark at = mark;
      at.line = line;
      at.column = block ? IndentOfLine(line) : mark.column;
      const size_t first = raw.find_first_not_of(" \t\r");
      if (first != std::string::npos && raw[first] != '#' && raw[first] != '!') {
        raw = raw.substr(first);
        const size_t sep = raw.find_first_of("=:");
        std::string key = raw.substr(0, sep);
        std::string value = sep == std::string::npos ? "" : raw.substr(sep + 1);
        auto trim = [](const std::string& s) {
          const size_t b = s.find_first_not_of(" \t\r");
          const size_t e = s.find_last_not_of(" \t\r");
          return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
        };
        key = trim(key);
        value = trim(value);
        if (sep == std::string::npos || key.empty()) {
          reader_.Report(at, entry.key, "expected a `key=value` property, found `" + raw + "`");
        } else {
          visit(key, value, at);
        }
      }
      ++line;
      start = end + 1;
    }
  }

  // Leading blanks of the 0-based line `line` of the driver file.
  int IndentOfLine(int line) const {
    size_t pos = 0;
    for (int n = 0; n < line && pos != std::string::npos; ++n) {
      pos = text_.find('\n', pos);
      if (pos != std::string::npos) ++pos;
    }
    if (pos == std::string::npos) return 0;
    const size_t first = text_.find_first_not_of(" \t", pos);
    return first == std::string::npos ? 0 : static_cast<int>(first - pos);
  }

  // Returns whether bootstrap.servers was given.
  bool MapKafkaProperties(const MapEntry& entry, const std::string& section) {
    bool bootstrap = false;
    ForEachProperty(entry, [&](const std::string& key, const std::string& value, const YAML::Mark& mark) {
      const std::string from =
          "OMB " + section + " " + key + "=" + value + " (" + LineOf(reader_, mark) + ")";
      if (LooksSecret(key)) {
        reader_.Report(
            mark, entry.key + "." + key,
            "`" + key +
                "` holds a secret; bakeoff never writes secrets into experiment files: give "
                "SASL credentials as the kafka options sasl_username and sasl_password: ${env:NAME}");
        return;
      }
      if (auto it = NotAppliedProperties().find(key); it != NotAppliedProperties().end()) {
        Note(from + ": not applied, " + it->second);
        return;
      }
      auto typed = TypedProperties().find(key);
      if (typed == TypedProperties().end()) {
        // librdkafka takes most Java client properties by the same name; it checks them at connect.
        if (section != "consumerConfig")
          MapOptionNamed("producer_config", "librdkafka properties, applied last")
              .entries.push_back({Quoted(key), Quoted(value), from});
        if (section != "producerConfig")
          MapOptionNamed("consumer_config", "librdkafka properties, applied last")
              .entries.push_back({Quoted(key), Quoted(value), from});
        return;
      }
      const TypedProperty& property = typed->second;
      if (key == "bootstrap.servers") {
        bootstrap = true;
        if (!Existing()) {
          Note(from + ": " + Ignored());
          return;
        }
      }
      std::optional<std::string> mapped = Convert(property.type, value);
      if (!mapped) {
        reader_.Report(mark, entry.key + "." + key,
                       "`" + key + "` must be " + Expected(property.type) + ", found `" + value + "`");
        return;
      }
      SetOption(property.option, *mapped, from);
    });
    return bootstrap;
  }

  static const char* Expected(TypedProperty::Type type) {
    switch (type) {
      case TypedProperty::Type::kAcks:
        return "0, 1, -1 or all";
      case TypedProperty::Type::kBool:
        return "true or false";
      case TypedProperty::Type::kInt:
      case TypedProperty::Type::kBytes:
      case TypedProperty::Type::kMillis:
        return "a whole number";
      default:
        return "text";
    }
  }

  static std::optional<std::string> Convert(TypedProperty::Type type, const std::string& value) {
    using T = TypedProperty::Type;
    switch (type) {
      case T::kText:
        return Quoted(value);
      case T::kLower:
        return Quoted(Lower(value));
      case T::kAcks:
        if (value == "-1" || Lower(value) == "all") return std::string("all");
        if (value == "0" || value == "1") return Quoted(value);
        return std::nullopt;
      case T::kBool:
        if (Lower(value) == "true" || Lower(value) == "false") return Lower(value);
        return std::nullopt;
      case T::kInt:
      case T::kBytes:
      case T::kMillis: {
        auto number = spec_internal::ToInt(value);
        if (!number || *number < 0) return std::nullopt;
        const std::string digits = std::to_string(*number);
        return type == T::kBytes ? digits + "B" : type == T::kMillis ? digits + "ms" : digits;
      }
    }
    return std::nullopt;
  }

  // ---- Redis -------------------------------------------------------------------------------------

  void MapRedis() {
    std::string host;
    const MapEntry* host_entry = Find("redisHost");
    if (host_entry != nullptr) {
      if (auto text = reader_.ReadScalar(host_entry->value, "a host name or address")) host = *text;
    }
    int64_t port = 6379;
    const MapEntry* port_entry = Find("redisPort");
    if (port_entry != nullptr) {
      if (auto value = reader_.ReadInt(port_entry->value, 1, 65535)) port = *value;
    }
    if (Existing()) {
      if (host_entry == nullptr) {
        reader_.Report(
            class_mark_, "redisHost",
            "the driver file names no server (redisHost) for --environment existing; add it, or use "
            "--environment local");
      } else if (!host.empty()) {
        SetOption(
            "url", Quoted("redis://" + host + ":" + std::to_string(port)),
            From(*host_entry) + ", " +
                (port_entry ? From(*port_entry).substr(4) : std::string("redisPort 6379 (OMB's default)")));
      }
    } else {
      if (host_entry != nullptr) Note(From(*host_entry) + ": " + Ignored());
      if (port_entry != nullptr) Note(From(*port_entry) + ": " + Ignored());
    }
    if (const MapEntry* user = Find("redisUser")) {
      if (auto text = reader_.ReadScalar(user->value, "a user name"))
        SetOption("username", Quoted(*text), From(*user));
    }
    if (const MapEntry* pass = Find("redisPass")) {
      auto text = reader_.ReadScalar(pass->value, "a password reference");
      if (text && !HasSecretReference(*text)) {
        reader_.Report(pass->value.mark, "redisPass",
                       "bakeoff never writes passwords into experiment files: give redisPass as a reference, "
                       "\"${env:REDIS_PASSWORD}\" or \"${file:PATH}\"");
      } else if (text) {
        SetOption("password", Quoted(*text), "OMB redisPass (" + LineOf(reader_, pass->key_mark) + ")");
      }
    }
    for (const char* key : {"jedisPoolMaxTotal", "jedisPoolMaxIdle"}) {
      if (const MapEntry* entry = Find(key)) {
        if (reader_.ReadInt(entry->value, 0, 1'000'000))
          Note(From(*entry) + ": not applied, bakeoff gives each producer and consumer its own connection");
      }
    }
  }

  // ---- NATS JetStream ----------------------------------------------------------------------------

  void MapJetStream() {
    if (const MapEntry* entry = Find("natsHostUrl")) {
      if (auto text = reader_.ReadScalar(entry->value, "a server URL such as nats://host:4222")) {
        if (Existing()) {
          SetOption("url", Quoted(text->find("://") == std::string::npos ? "nats://" + *text : *text),
                    From(*entry));
        } else {
          Note(From(*entry) + ": " + Ignored());
        }
      }
    } else if (Existing()) {
      reader_.Report(
          class_mark_, "natsHostUrl",
          "the driver file names no server (natsHostUrl) for --environment existing; add it, or use "
          "--environment local");
    }
    // OMB's default replication factor is 0, which the server takes as 1.
    if (const MapEntry* entry = Find("replicationFactor")) {
      if (auto factor = reader_.ReadInt(entry->value, 0, 5)) {
        replication_ = std::max<int64_t>(1, *factor);
        SetOption("replicas", std::to_string(replication_), From(*entry));
      }
    } else {
      SetOption("replicas", "1", "OMB replicationFactor not given: 0, which the server takes as 1");
    }
    storage_ = "file";
    if (const MapEntry* entry = Find("storageType")) {
      if (auto name = reader_.ReadChoice(entry->value, {"File", "Memory"})) {
        storage_ = Lower(*name);
        SetOption("storage", storage_, From(*entry));
      }
    } else {
      SetOption("storage", "file", "OMB storageType not given: File, OMB's default");
    }
    if (const MapEntry* entry = Find("maxBytes")) {
      if (auto bytes = reader_.ReadInt(entry->value, -1, INT64_MAX)) {
        Note(From(*entry) + (*bytes == -1 ? ": unlimited, as bakeoff's streams"
                                          : ": not applied, bakeoff's streams have no byte limit"));
      }
    }
  }

  // ---- RabbitMQ ----------------------------------------------------------------------------------

  void MapRabbitMq() {
    if (const MapEntry* entry = Find("amqpUris")) {
      std::string joined;
      if (!entry->value.node.IsSequence() || entry->value.node.size() == 0) {
        reader_.Report(entry->value.mark, "amqpUris",
                       "expected a list of broker URIs such as [amqp://localhost], found " +
                           Reader::Describe(entry->value.node));
      } else {
        for (size_t i = 0; i < entry->value.node.size(); ++i) {
          const YAML::Node item = entry->value.node[i];
          auto uri =
              reader_.ReadScalar(Field{item, item.Mark(), "amqpUris[" + std::to_string(i) + "]"}, "a URI");
          if (!uri) continue;
          if (!CheckUriSecret(*uri, item.Mark())) continue;
          joined += (joined.empty() ? "" : ",") + *uri;
        }
      }
      if (!Existing()) {
        Note(From(*entry) + ": " + Ignored());
      } else if (!joined.empty()) {
        SetOption("url", Quoted(joined), "OMB amqpUris (" + LineOf(reader_, entry->key_mark) + ")");
      }
    } else if (Existing()) {
      reader_.Report(class_mark_, "amqpUris",
                     "the driver file names no broker (amqpUris) for --environment existing; add it, or use "
                     "--environment local");
    }
    if (const MapEntry* entry = Find("messagePersistence")) {
      if (auto value = reader_.ReadBool(entry->value))
        SetOption("persistent", *value ? "true" : "false", From(*entry));
    } else {
      SetOption("persistent", "false", "OMB messagePersistence not given: false, OMB's default");
    }
    if (const MapEntry* entry = Find("queueType")) {
      if (auto name = reader_.ReadChoice(entry->value, {"CLASSIC", "QUORUM", "STREAM"}))
        SetOption("queue_type", Lower(*name), From(*entry));
    } else {
      SetOption("queue_type", "classic", "OMB queueType not given: CLASSIC, OMB's default");
    }
    for (const char* key : {"producerCreationDelay", "producerCreationBatchSize", "consumerCreationDelay",
                            "consumerCreationBatchSize"}) {
      if (const MapEntry* entry = Find(key)) {
        if (reader_.ReadInt(entry->value, 0, INT64_MAX))
          Note(From(*entry) + ": not applied, bakeoff creates its clients before the load starts");
      }
    }
  }

  // amqp://user:password@host: a password other than RabbitMQ's built-in guest must be a reference.
  bool CheckUriSecret(const std::string& uri, const YAML::Mark& mark) {
    const size_t scheme = uri.find("://");
    const size_t at = uri.find('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme) return true;
    const std::string userinfo = uri.substr(scheme + 3, at - scheme - 3);
    const size_t colon = userinfo.find(':');
    if (colon == std::string::npos || userinfo.substr(colon + 1) == "guest") return true;
    reader_.Report(
        mark, "amqpUris",
        "the URI holds a password; bakeoff never writes passwords into experiment files: drop it from "
        "the URI and set the rabbitmq option password: ${env:NAME} in the imported file");
    return false;
  }

  // ---- The system item ---------------------------------------------------------------------------

  void Render(const DriverClass& driver_class) {
    OutLines& lines = out_.system_lines;
    std::string omb_name;
    std::string name_comment = "OMB name not given: the driver";
    if (const MapEntry* entry = Find("name")) {
      if (auto text = reader_.ReadScalar(entry->value, "the driver's name")) {
        omb_name = *text;
        name_comment = From(*entry);
      }
    }
    out_.omb_name = omb_name.empty() ? driver_class.driver : omb_name;
    lines.push_back({2, "- name: " + SafeName(omb_name, driver_class.driver), name_comment});
    lines.push_back({4, std::string("driver: ") + driver_class.driver,
                     "OMB driverClass: " + class_name_ + " (" + class_line_ + ")"});
    RenderEnvironment(driver_class.kind);
    if (!options_list_.empty() || !maps_.empty()) {
      lines.push_back({4, "options:", "options the driver file does not set keep bakeoff's defaults"});
      for (const Option& o : options_list_) lines.push_back({6, o.key + ": " + o.value, o.comment});
      for (const MapOption& m : maps_) {
        lines.push_back({6, m.key + ":", m.comment});
        for (const Option& o : m.entries) lines.push_back({8, o.key + ": " + o.value, o.comment});
      }
    }
    for (const std::string& note : notes_) lines.push_back({4, "", note});
  }

  void RenderEnvironment(Kind kind) {
    OutLines& lines = out_.system_lines;
    const std::string& env = options_.environment;
    if (env == "existing") {
      lines.push_back(
          {4, "environment: existing", "--environment existing: connect to the hosts the driver file names"});
      return;
    }
    lines.push_back({4, "environment:", "--environment " + env + ": bakeoff provisions the system"});
    lines.push_back({6, "provider: " + env, ""});
    const std::string factor = "OMB replicationFactor " + std::to_string(replication_);
    if (env == "embedded") {
      if (kind == Kind::kKafka)
        lines.push_back({6, "brokers: " + std::to_string(std::max<int64_t>(1, replication_)),
                         factor + ": as many mock brokers"});
      return;
    }
    if ((kind == Kind::kKafka || kind == Kind::kJetStream) && replication_ > 1) {
      if (replication_ > 5) {
        reader_.Report(class_mark_, "replicationFactor",
                       "--environment local starts at most 5 nodes; replicationFactor " +
                           std::to_string(replication_) + " needs more: use --environment existing");
      }
      lines.push_back({6, "nodes: " + std::to_string(replication_), factor + ": a cluster of as many nodes"});
    }
    if (kind == Kind::kJetStream && storage_ == "memory")
      lines.push_back({6, "storage: memory", "OMB storageType Memory: the server keeps streams in memory"});
  }

  Reader& reader_;
  const std::string& file_name_;
  const std::string& text_;
  const OmbImportOptions& options_;
  DriverMapping& out_;
  const std::vector<MapEntry>* entries_ = nullptr;
  YAML::Mark class_mark_;
  std::string class_line_;
  std::string class_name_;
  int64_t replication_ = 1;
  std::string storage_ = "file";
  std::vector<Option> options_list_;
  std::vector<MapOption> maps_;
  std::vector<std::string> notes_;
};

}  // namespace

void MapDriver(Reader& reader, const YAML::Node& root, const std::string& file_name, const std::string& text,
               const OmbImportOptions& options, DriverMapping& out) {
  DriverMapper(reader, file_name, text, options, out).Map(root);
}

}  // namespace bakeoff::omb_internal
