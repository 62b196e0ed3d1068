// Every registered driver declares its options through one binder (spec/option_binding.h): the schema it
// shows and validates with and the settings struct it runs with come from the same declaration.
#include <gtest/gtest.h>

#include <cmath>

#include "drivers/registry.h"

namespace bakeoff {
namespace {

bool InRange(const OptionSpec& spec, double value) {
  return (!spec.min || value >= *spec.min) && (!spec.max || value <= *spec.max);
}

// A valid value other than the default, so that a field bound to the wrong member shows.
OptionValue OtherValue(const OptionSpec& spec) {
  const std::optional<OptionValue>& d = spec.default_value;
  switch (spec.type) {
    case OptionType::kBool:
      return d ? !std::get<bool>(*d) : true;
    case OptionType::kInt:
    case OptionType::kBytes: {
      const int64_t def = d ? std::get<int64_t>(*d) : INT64_MIN;
      for (double c : {spec.min.value_or(1), spec.max.value_or(2), static_cast<double>(def) + 1}) {
        if (static_cast<int64_t>(c) != def && InRange(spec, c)) return static_cast<int64_t>(c);
      }
      return def;
    }
    case OptionType::kDouble: {
      const double def = d ? std::get<double>(*d) : -1;
      return spec.min && *spec.min != def ? *spec.min : def + 1;
    }
    case OptionType::kDuration: {
      // Whole seconds: every field keeps them, whatever its chrono unit.
      const int64_t def = d ? std::get<int64_t>(*d) : -1;
      for (double s : {std::ceil(spec.min.value_or(1)), std::floor(spec.max.value_or(2)), 7.0}) {
        const int64_t ns = static_cast<int64_t>(s) * 1'000'000'000;
        if (ns != def && InRange(spec, s)) return ns;
      }
      return def;
    }
    case OptionType::kString:
      return std::string(spec.secret ? "${env:BAKEOFF_TEST_SECRET}" : "other");
    case OptionType::kEnum:
      for (const std::string& c : spec.choices) {
        if (!d || c != std::get<std::string>(*d)) return c;
      }
      return spec.choices.front();
    case OptionType::kStringMap:
      return std::map<std::string, std::string>{{"some.key", "1"}};
  }
  return std::string();
}

TEST(DriverOptionsTest, EveryDriverBindsTheSchemaItShows) {
  for (Driver* driver : AllDrivers()) {
    SCOPED_TRACE(driver->name());
    const OptionBinding* binding = driver->option_binding();
    ASSERT_NE(binding, nullptr) << "declare the options with an OptionBinder (spec/option_binding.h)";
    ASSERT_TRUE(binding->status().ok()) << binding->status().ToString();
    EXPECT_EQ(&binding->schema(), &driver->schema());
    for (const OptionSpec& spec : driver->schema().options) EXPECT_FALSE(spec.help.empty()) << spec.name;
  }
}

TEST(DriverOptionsTest, EveryDefaultLandsInTheSettings) {
  for (Driver* driver : AllDrivers()) {
    SCOPED_TRACE(driver->name());
    const OptionBinding* binding = driver->option_binding();
    ASSERT_NE(binding, nullptr);
    OptionValues defaults;
    ApplyDefaults(binding->schema(), defaults);
    Result<OptionValues> back = binding->RoundTrip(defaults);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    for (const OptionSpec& spec : binding->schema().options) {
      if (spec.default_value) {
        ASSERT_TRUE(back->Has(spec.name)) << spec.name;
        EXPECT_EQ(back->all().at(spec.name), *spec.default_value) << spec.name;
      } else {
        EXPECT_FALSE(back->Has(spec.name)) << spec.name << " has no default yet reads as set";
      }
    }
  }
}

TEST(DriverOptionsTest, EveryGivenValueLandsInItsOwnField) {
  for (Driver* driver : AllDrivers()) {
    SCOPED_TRACE(driver->name());
    const OptionBinding* binding = driver->option_binding();
    ASSERT_NE(binding, nullptr);
    OptionValues given;
    for (const OptionSpec& spec : binding->schema().options) given.Set(spec.name, OtherValue(spec));
    Result<OptionValues> back = binding->RoundTrip(given);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    for (const auto& [name, value] : given.all()) {
      ASSERT_TRUE(back->Has(name)) << name;
      EXPECT_EQ(back->all().at(name), value)
          << name << ": " << FormatOptionValue(*binding->schema().Find(name), value);
    }
  }
}

}  // namespace
}  // namespace bakeoff
