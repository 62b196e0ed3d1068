// Typed, defaulted, documented option schemas. Every driver and every environment provider declares
// one; the spec parser validates user options against it and `bakeoff drivers` prints it as help.
// Layering: spec depends on base only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bakeoff {

enum class OptionType {
  kBool,
  kInt,        // integer, min/max checked
  kDouble,     // real number, min/max checked
  kString,     // free text; may be a secret reference "${env:NAME}" or "${file:PATH}"
  kBytes,      // "100B", "1KiB", "4MB" -> int64 bytes
  kDuration,   // "500ms", "30s", "2m" -> int64 nanoseconds
  kEnum,       // one of `choices`
  kStringMap,  // free-form key -> value pass-through (e.g. librdkafka properties)
};

const char* OptionTypeName(OptionType type);

// Resolved value of one option. Bytes and durations are int64 (bytes, nanoseconds); enums are strings.
using OptionValue = std::variant<bool, int64_t, double, std::string, std::map<std::string, std::string>>;

struct OptionSpec {
  std::string name;  // snake_case, units in the name where it helps (linger_ms)
  OptionType type = OptionType::kString;
  std::optional<OptionValue> default_value;  // none = required unless `optional` is set
  bool optional = false;                     // absent and no default: simply unset
  std::string help;                          // one or two sentences for `bakeoff drivers`
  std::vector<std::string> choices;          // kEnum only
  std::optional<double> min;                 // kInt, kDouble, kBytes (bytes), kDuration (seconds)
  std::optional<double> max;
  bool secret = false;  // never printed, never stored resolved; use "${env:NAME}"
};

struct OptionSchema {
  std::vector<OptionSpec> options;

  const OptionSpec* Find(const std::string& name) const;
  std::vector<std::string> Names() const;
};

// The options of one system/environment after validation: every option in the schema that has a value
// (given or defaulted). Secrets are kept as the reference text the user wrote, resolved only at use.
class OptionValues {
 public:
  void Set(const std::string& name, OptionValue value) { values_[name] = std::move(value); }
  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, OptionValue>& all() const { return values_; }

  // Typed getters; `fallback` is returned when the option is unset or of another type.
  bool GetBool(const std::string& name, bool fallback = false) const;
  int64_t GetInt(const std::string& name, int64_t fallback = 0) const;
  double GetDouble(const std::string& name, double fallback = 0) const;
  std::string GetString(const std::string& name, const std::string& fallback = "") const;
  std::chrono::nanoseconds GetDuration(const std::string& name, std::chrono::nanoseconds fallback = {}) const;
  std::map<std::string, std::string> GetStringMap(const std::string& name) const;

 private:
  std::map<std::string, OptionValue> values_;
};

// Builders for schema tables (designated initializers draw -Wextra warnings for every omitted field).
// An option without a default is optional.
OptionSpec Option(const char* name, OptionType type, std::optional<OptionValue> default_value,
                  const char* help);
OptionSpec InRange(OptionSpec spec, double min, double max);

// Fills defaults of `schema` into `values` for options the user did not give.
void ApplyDefaults(const OptionSchema& schema, OptionValues& values);

// Renders a value for help and result files; secret options render as the reference text only.
std::string FormatOptionValue(const OptionSpec& spec, const OptionValue& value);

}  // namespace bakeoff
