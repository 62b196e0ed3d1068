// The server kind registry drives the local provider: the schema's `server` choices, its help texts,
// the server a driver gets, and the per-kind checks of `nodes` and of kind-specific options all follow
// from AllServerKinds(). No servers: these tests start nothing.
#include "env/local/server_kinds.h"

#include <gtest/gtest.h>

#include <set>

#include "drivers/registry.h"
#include "env/local/local_provider.h"

namespace bakeoff {
namespace {

const OptionSpec& SchemaOption(const std::string& name) {
  const OptionSpec* spec = GetLocalProvider()->schema().Find(name);
  EXPECT_NE(spec, nullptr) << name;
  static const OptionSpec missing;
  return spec != nullptr ? *spec : missing;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A value the option's own schema accepts.
OptionValue AcceptedValue(const OptionSpec& spec) {
  if (spec.default_value) return *spec.default_value;
  switch (spec.type) {
    case OptionType::kBool:
      return true;
    case OptionType::kInt:
    case OptionType::kBytes:
      return static_cast<int64_t>(spec.min.value_or(1));
    case OptionType::kDouble:
      return spec.min.value_or(1.0);
    case OptionType::kDuration:
      return int64_t{1'000'000'000};
    case OptionType::kEnum:
      return spec.choices.at(0);
    case OptionType::kStringMap:
      return std::map<std::string, std::string>{};
    case OptionType::kString:
      break;
  }
  return std::string("rabbitmq_stream");
}

TEST(ServerKindsTest, EveryKindIsAChoiceOfTheServerOptionInRegistrationOrder) {
  std::vector<std::string> names;
  for (const ServerKind* kind : AllServerKinds()) names.push_back(kind->name);
  ASSERT_GE(names.size(), 6u);
  const OptionSpec& server = SchemaOption("server");
  EXPECT_EQ(server.type, OptionType::kEnum);
  EXPECT_EQ(server.choices, names);
  for (const ServerKind* kind : AllServerKinds()) {
    EXPECT_EQ(FindServerKind(kind->name), kind);
    EXPECT_TRUE(Contains(server.help, kind->name + " (" + kind->help + ")")) << server.help;
    EXPECT_TRUE(Contains(GetLocalProvider()->description(), kind->name)) << kind->name;
    EXPECT_TRUE(Contains(SchemaOption("config").help, kind->name + ": " + kind->config_help)) << kind->name;
    EXPECT_TRUE(kind->plan && kind->layout) << kind->name << " has no plan or layout";
  }
  EXPECT_EQ(FindServerKind("zookeeper"), nullptr);
}

TEST(ServerKindsTest, EachDriverAKindClaimsMapsBackToItAndIsARealDriver) {
  std::set<std::string> claimed;
  for (const ServerKind* kind : AllServerKinds()) {
    for (const std::string& driver : kind->drivers) {
      EXPECT_TRUE(claimed.insert(driver).second) << driver << " is claimed by two kinds";
      EXPECT_NE(FindDriver(driver), nullptr) << kind->name << " claims `" << driver << "`, not a driver";
      Result<std::string> server = ServerForDriver(driver);
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      EXPECT_EQ(*server, kind->name);
      EXPECT_TRUE(Contains(SchemaOption("server").help, driver)) << driver;
    }
  }
  // Every driver that talks to a server has a local one; memory is in-process.
  for (Driver* driver : AllDrivers()) {
    if (driver->name() == "memory") continue;
    EXPECT_EQ(claimed.count(driver->name()), 1u) << "no local server kind serves " << driver->name();
  }
}

TEST(ServerKindsTest, ADriverWithoutAServerNamesTheDriversAndServersThereAre) {
  Result<std::string> none = ServerForDriver("memory");
  ASSERT_FALSE(none.ok());
  const std::string& message = none.status().message();
  EXPECT_TRUE(Contains(message, "local: driver `memory` needs no server")) << message;
  for (const ServerKind* kind : AllServerKinds()) {
    EXPECT_TRUE(Contains(message, kind->name)) << message;
    for (const std::string& driver : kind->drivers) EXPECT_TRUE(Contains(message, driver)) << message;
  }
  EXPECT_TRUE(Contains(message, "give `server:`")) << message;
}

TEST(ServerKindsTest, NodesFollowEachKindsClusterSize) {
  int largest = 1;
  for (const ServerKind* kind : AllServerKinds()) {
    largest = std::max(largest, kind->max_nodes);
    OptionValues at_max;
    at_max.Set("server", kind->name);
    at_max.Set("nodes", int64_t{kind->max_nodes});
    Result<LocalSettings> ok = LocalSettingsFromOptions(at_max, "memory");
    ASSERT_TRUE(ok.ok()) << kind->name << ": " << ok.status().ToString();
    EXPECT_EQ(ok->nodes, kind->max_nodes);

    OptionValues beyond;
    beyond.Set("server", kind->name);
    beyond.Set("nodes", int64_t{kind->max_nodes + 1});
    Result<LocalSettings> refused = LocalSettingsFromOptions(beyond, "memory");
    ASSERT_FALSE(refused.ok()) << kind->name;
    const std::string& message = refused.status().message();
    EXPECT_TRUE(Contains(message, "`nodes: " + std::to_string(kind->max_nodes + 1) + "`")) << message;
    if (kind->clusters()) {
      EXPECT_TRUE(Contains(message, "at most " + std::to_string(kind->max_nodes))) << message;
    } else {
      EXPECT_TRUE(Contains(message, "only " + ClusteringServerKindNames() + " form clusters")) << message;
      EXPECT_TRUE(Contains(message, kind->name + " runs 1 node")) << message;
    }
  }
  EXPECT_EQ(SchemaOption("nodes").max, largest);
  EXPECT_EQ(ClusteringServerKindNames(), "nats, rabbitmq and kafka");
}

TEST(ServerKindsTest, KindOptionsAreInTheSchemaAndRefusedForOtherKinds) {
  std::set<std::string> common = {"server", "nodes", "config", "cpus", "startup_timeout"};
  std::set<std::string> seen;
  int kind_options = 0;
  for (const ServerKind* owner : AllServerKinds()) {
    for (const OptionSpec& option : owner->options) {
      ++kind_options;
      EXPECT_EQ(common.count(option.name), 0u) << option.name << " shadows a common option";
      EXPECT_TRUE(seen.insert(option.name).second) << option.name << " is declared by two kinds";
      const OptionSpec& in_schema = SchemaOption(option.name);
      EXPECT_EQ(in_schema.type, option.type) << option.name;
      EXPECT_EQ(in_schema.help, owner->name + ": " + option.help);
      for (const ServerKind* kind : AllServerKinds()) {
        OptionValues values;
        values.Set("server", kind->name);
        values.Set(option.name, AcceptedValue(option));
        Result<LocalSettings> s = LocalSettingsFromOptions(values, "memory");
        if (kind == owner) {
          EXPECT_TRUE(s.ok()) << kind->name << " refuses its own `" << option.name
                              << "`: " << s.status().ToString();
          continue;
        }
        ASSERT_FALSE(s.ok()) << kind->name << " accepts " << owner->name << "'s `" << option.name << "`";
        EXPECT_EQ(s.status().message(), "local: `" + option.name + "` applies to " + owner->name +
                                            " only, and this environment starts " + kind->name +
                                            ": remove `" + option.name + "`");
      }
    }
  }
  EXPECT_GE(kind_options, 5);  // kafka's controllers and heap, nats' jetstream and storage, plugins
  // The schema is exactly the common options plus the kinds' own.
  EXPECT_EQ(GetLocalProvider()->schema().options.size(), common.size() + seen.size());
}

TEST(ServerKindsTest, StartupTimeoutDefaultsComeFromTheKind) {
  const std::string& help = SchemaOption("startup_timeout").help;
  EXPECT_TRUE(Contains(help, "Default 30s; 60s for rabbitmq and kafka")) << help;
  for (const ServerKind* kind : AllServerKinds()) {
    OptionValues values;
    values.Set("server", kind->name);
    Result<LocalSettings> s = LocalSettingsFromOptions(values, "memory");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->startup_timeout, kind->default_startup_timeout) << kind->name;
  }
}

TEST(ServerKindsTest, JoinWithAnd) {
  EXPECT_EQ(JoinWithAnd({}), "");
  EXPECT_EQ(JoinWithAnd({"a"}), "a");
  EXPECT_EQ(JoinWithAnd({"a", "b"}), "a and b");
  EXPECT_EQ(JoinWithAnd({"a", "b", "c"}), "a, b and c");
}

}  // namespace
}  // namespace bakeoff
