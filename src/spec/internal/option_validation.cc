#include "spec/internal/option_validation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "spec/secrets.h"

namespace bakeoff::spec_internal {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Schema bounds are doubles; clamp them into the int64 range of the parsed quantity.
int64_t BoundToInt(std::optional<double> bound, double scale, int64_t fallback) {
  if (!bound) return fallback;
  long double scaled = static_cast<long double>(*bound) * scale;
  if (scaled <= static_cast<long double>(kInt64Min)) return kInt64Min;
  if (scaled >= static_cast<long double>(kInt64Max)) return kInt64Max;
  return static_cast<int64_t>(std::ceil(scaled));
}

std::optional<std::map<std::string, std::string>> ReadStringMap(Reader& reader, const Field& field) {
  std::optional<std::vector<MapEntry>> entries = reader.ReadMap(field, nullptr, "");
  if (!entries) return std::nullopt;
  std::map<std::string, std::string> values;
  bool ok = true;
  for (const MapEntry& entry : *entries) {
    std::optional<std::string> value = reader.ReadScalar(entry.value, "a plain value (text, number or bool)");
    if (!value) {
      ok = false;
      continue;
    }
    if (IsSecretKey(entry.key) && !HasSecretReference(*value)) {
      // Pass-through settings are recorded with the result: a secret must not be written in the file.
      reader.Report(entry.value.mark, entry.value.path,
                    "`" + entry.key +
                        "` is a secret and must not be written in the file; put it in an "
                        "environment variable and write ${env:NAME} (or ${file:PATH} for a file holding it)");
      ok = false;
      continue;
    }
    values[entry.key] = *value;
  }
  if (!ok) return std::nullopt;
  return values;
}

std::optional<OptionValue> ReadOption(Reader& reader, const OptionSpec& spec, const Field& field) {
  if (field.node.IsNull() && spec.type != OptionType::kStringMap) {
    reader.Report(field.mark, field.path,
                  "option `" + spec.name + "` needs a value (" + OptionTypeName(spec.type) + ")");
    return std::nullopt;
  }
  switch (spec.type) {
    case OptionType::kBool:
      if (auto value = reader.ReadBool(field)) return *value;
      return std::nullopt;
    case OptionType::kInt:
      if (auto value =
              reader.ReadInt(field, BoundToInt(spec.min, 1, kInt64Min), BoundToInt(spec.max, 1, kInt64Max))) {
        return *value;
      }
      return std::nullopt;
    case OptionType::kDouble:
      if (auto value = reader.ReadDouble(field, spec.min, spec.max)) return *value;
      return std::nullopt;
    case OptionType::kString: {
      std::optional<std::string> text = reader.ReadScalar(field, "text");
      if (!text) return std::nullopt;
      if (spec.secret && !HasSecretReference(*text)) {
        reader.Report(
            field.mark, field.path,
            "option `" + spec.name +
                "` is a secret and must not be written in the file; put the secret in an environment "
                "variable and write ${env:NAME} (or ${file:PATH} for a file holding it)");
        return std::nullopt;
      }
      return *text;
    }
    case OptionType::kBytes:
      if (auto value = reader.ReadBytes(field, std::max<int64_t>(0, BoundToInt(spec.min, 1, 0)),
                                        BoundToInt(spec.max, 1, kInt64Max))) {
        return *value;
      }
      return std::nullopt;
    case OptionType::kDuration:
      if (auto value = reader.ReadDurationNs(field, std::max<int64_t>(0, BoundToInt(spec.min, 1e9, 0)),
                                             BoundToInt(spec.max, 1e9, kInt64Max))) {
        return *value;
      }
      return std::nullopt;
    case OptionType::kEnum:
      if (auto value = reader.ReadChoice(field, spec.choices)) return *value;
      return std::nullopt;
    case OptionType::kStringMap:
      if (auto value = ReadStringMap(reader, field)) return *value;
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

OptionValues ValidateOptions(Reader& reader, const OptionSchema& schema, const Field& field,
                             const std::string& owner, const std::vector<std::string>& reserved) {
  OptionValues values;
  std::vector<std::string> allowed = schema.Names();
  allowed.insert(allowed.end(), reserved.begin(), reserved.end());
  std::optional<std::vector<MapEntry>> entries = reader.ReadMap(field, &allowed, "for " + owner, "option");
  if (!entries) return values;
  for (const MapEntry& entry : *entries) {
    const OptionSpec* spec = schema.Find(entry.key);
    if (spec == nullptr) continue;  // a reserved key
    if (std::optional<OptionValue> value = ReadOption(reader, *spec, entry.value))
      values.Set(spec->name, *value);
  }
  for (const OptionSpec& spec : schema.options) {
    if (FindEntry(*entries, spec.name) != nullptr || spec.default_value || spec.optional) continue;
    std::string message =
        "missing required option `" + spec.name + "` (" + OptionTypeName(spec.type) + ") for " + owner;
    if (!spec.help.empty()) message += ": " + spec.help;
    reader.Report(field.mark, field.Child(spec.name), message);
  }
  ApplyDefaults(schema, values);
  return values;
}

}  // namespace bakeoff::spec_internal
