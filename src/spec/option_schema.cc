#include "spec/option_schema.h"

#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "spec/secrets.h"

namespace bakeoff {

const char* OptionTypeName(OptionType type) {
  switch (type) {
    case OptionType::kBool:
      return "bool";
    case OptionType::kInt:
      return "int";
    case OptionType::kDouble:
      return "number";
    case OptionType::kString:
      return "string";
    case OptionType::kBytes:
      return "bytes";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kEnum:
      return "enum";
    case OptionType::kStringMap:
      return "map";
  }
  return "unknown";
}

const OptionSpec* OptionSchema::Find(const std::string& name) const {
  for (const OptionSpec& spec : options) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::vector<std::string> OptionSchema::Names() const {
  std::vector<std::string> names;
  names.reserve(options.size());
  for (const OptionSpec& spec : options) names.push_back(spec.name);
  return names;
}

namespace {

template <typename T>
const T* GetIf(const std::map<std::string, OptionValue>& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) return nullptr;
  return std::get_if<T>(&it->second);
}

// Renders `quantity` with the largest unit that divides it exactly, so that the text parses back to
// the same value ("1MiB", "1500ms", "7B").
std::string FormatExact(int64_t quantity, const std::vector<std::pair<int64_t, const char*>>& units) {
  for (const auto& [scale, unit] : units) {
    if (quantity != 0 && quantity % scale == 0) return std::to_string(quantity / scale) + unit;
  }
  return std::to_string(quantity) + units.back().second;
}

}  // namespace

bool OptionValues::GetBool(const std::string& name, bool fallback) const {
  const bool* value = GetIf<bool>(values_, name);
  return value ? *value : fallback;
}

int64_t OptionValues::GetInt(const std::string& name, int64_t fallback) const {
  const int64_t* value = GetIf<int64_t>(values_, name);
  return value ? *value : fallback;
}

double OptionValues::GetDouble(const std::string& name, double fallback) const {
  if (const double* value = GetIf<double>(values_, name)) return *value;
  // An integer literal given for a real-valued option is still a number.
  if (const int64_t* value = GetIf<int64_t>(values_, name)) return static_cast<double>(*value);
  return fallback;
}

std::string OptionValues::GetString(const std::string& name, const std::string& fallback) const {
  const std::string* value = GetIf<std::string>(values_, name);
  return value ? *value : fallback;
}

std::chrono::nanoseconds OptionValues::GetDuration(const std::string& name,
                                                   std::chrono::nanoseconds fallback) const {
  const int64_t* value = GetIf<int64_t>(values_, name);
  return value ? std::chrono::nanoseconds(*value) : fallback;
}

std::map<std::string, std::string> OptionValues::GetStringMap(const std::string& name) const {
  const auto* value = GetIf<std::map<std::string, std::string>>(values_, name);
  return value ? *value : std::map<std::string, std::string>{};
}

void ApplyDefaults(const OptionSchema& schema, OptionValues& values) {
  for (const OptionSpec& spec : schema.options) {
    if (!values.Has(spec.name) && spec.default_value.has_value()) values.Set(spec.name, *spec.default_value);
  }
}

std::string FormatOptionValue(const OptionSpec& spec, const OptionValue& value) {
  if (spec.secret) {
    const std::string* text = std::get_if<std::string>(&value);
    // A secret is stored as the reference the user wrote; anything else must never be shown.
    if (text != nullptr && HasSecretReference(*text)) return *text;
    return "<redacted>";
  }
  return std::visit(
      [&spec](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (spec.type == OptionType::kBytes) {
            return FormatExact(
                v, {{int64_t{1} << 30, "GiB"}, {int64_t{1} << 20, "MiB"}, {1024, "KiB"}, {1, "B"}});
          }
          if (spec.type == OptionType::kDuration) {
            return FormatExact(v, {{3'600'000'000'000, "h"},
                                   {60'000'000'000, "m"},
                                   {1'000'000'000, "s"},
                                   {1'000'000, "ms"},
                                   {1'000, "us"},
                                   {1, "ns"}});
          }
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[64];
          std::snprintf(buffer, sizeof buffer, "%.17g", v);
          // Prefer the shortest text that reads back to the same value.
          for (int precision = 1; precision <= 17; ++precision) {
            char shorter[64];
            std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
            if (std::strtod(shorter, nullptr) == v) return shorter;
          }
          return buffer;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          std::string text = "{";
          bool first = true;
          for (const auto& [key, item] : v) {
            if (!first) text += ", ";
            first = false;
            text += key + ": " + item;
          }
          return text + "}";
        }
      },
      value);
}

OptionSpec Option(const char* name, OptionType type, std::optional<OptionValue> default_value,
                  const char* help) {
  OptionSpec spec;
  spec.name = name;
  spec.type = type;
  spec.optional = !default_value.has_value();
  spec.default_value = std::move(default_value);
  spec.help = help;
  return spec;
}

OptionSpec InRange(OptionSpec spec, double min, double max) {
  spec.min = min;
  spec.max = max;
  return spec;
}

}  // namespace bakeoff
