#include "spec/internal/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>

#include "spec/internal/suggest.h"
#include "spec/units.h"

namespace bakeoff::spec_internal {

const MapEntry* FindEntry(const std::vector<MapEntry>& entries, const std::string& key) {
  for (const MapEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::optional<int64_t> ToInt(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<double> ToDouble(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> ToBool(const std::string& text) {
  static const std::map<std::string, bool> kWords = {
      {"true", true},   {"True", true},   {"TRUE", true},   {"yes", true}, {"Yes", true}, {"on", true},
      {"false", false}, {"False", false}, {"FALSE", false}, {"no", false}, {"No", false}, {"off", false},
  };
  auto it = kWords.find(text);
  if (it == kWords.end()) return std::nullopt;
  return it->second;
}

std::string FormatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

SourceLocation Reader::Locate(const YAML::Mark& mark) const {
  SourceLocation location;
  location.file = file_name_;
  if (!mark.is_null() && mark.line >= 0 && mark.column >= 0) {
    location.line = mark.line + 1;
    location.column = mark.column + 1;
  }
  return location;
}

void Reader::Report(const YAML::Mark& mark, std::string path, std::string message, std::string suggestion) {
  diagnostics_.push_back(
      Diagnostic{Locate(mark), std::move(path), std::move(message), std::move(suggestion)});
}

std::vector<Diagnostic> Reader::TakeDiagnostics() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    return a.location.column < b.location.column;
  });
  return std::move(diagnostics_);
}

std::string Reader::Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Scalar: {
      std::string text = node.Scalar();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return "`" + text + "`";
    }
  }
  return "an unknown value";
}

std::optional<std::vector<MapEntry>> Reader::ReadMap(const Field& field,
                                                     const std::vector<std::string>* allowed,
                                                     const std::string& context, const std::string& noun) {
  std::vector<MapEntry> entries;
  if (field.node.IsNull()) return entries;
  if (!field.node.IsMap()) {
    Report(field.mark, field.path, "expected a map of `key: value` lines, found " + Describe(field.node));
    return std::nullopt;
  }
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    const YAML::Node key_node = it->first;  // copies: the iterator hands out a temporary pair
    const YAML::Node value = it->second;
    if (!key_node.IsScalar()) {
      Report(key_node.Mark(), field.path, "a " + noun + " must be a plain name, found " + Describe(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    MapEntry entry{key, key_node.Mark(),
                   Field{value, value.IsNull() ? key_node.Mark() : value.Mark(), field.Child(key)}};
    if (const MapEntry* first = FindEntry(entries, entry.key)) {
      Report(entry.key_mark, entry.value.path,
             "duplicate " + noun + " `" + entry.key + "`; first given at line " +
                 std::to_string(Locate(first->key_mark).line));
      continue;
    }
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), entry.key) == allowed->end()) {
      std::string suggestion = DidYouMean(entry.key, *allowed);
      std::string message = "unknown " + noun + " `" + entry.key + "` " + context;
      if (suggestion.empty()) message += "; expected one of " + JoinQuoted(*allowed);
      Report(entry.key_mark, entry.value.path, message, suggestion);
      continue;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

const MapEntry* Reader::Require(const std::vector<MapEntry>& entries, const Field& map,
                                const std::string& key, const std::string& expected) {
  const MapEntry* entry = FindEntry(entries, key);
  if (entry == nullptr) Report(map.mark, map.Child(key), "missing required key `" + key + "`: " + expected);
  return entry;
}

std::optional<std::string> Reader::ReadScalar(const Field& field, const std::string& expected) {
  if (!field.node.IsScalar()) {
    Report(field.mark, field.path, "expected " + expected + ", found " + Describe(field.node));
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<int64_t> Reader::ReadInt(const Field& field, int64_t min, int64_t max) {
  std::string expected = "an integer";
  if (min > std::numeric_limits<int64_t>::min()) expected += " >= " + std::to_string(min);
  std::optional<std::string> text = ReadScalar(field, expected);
  if (!text) return std::nullopt;
  std::optional<int64_t> value = ToInt(*text);
  if (!value) {
    Report(field.mark, field.path, "expected " + expected + ", found " + Describe(field.node));
    return std::nullopt;
  }
  if (*value < min) {
    Report(field.mark, field.path, "must be at least " + std::to_string(min) + ", found " + *text);
    return std::nullopt;
  }
  if (*value > max) {
    Report(field.mark, field.path, "must be at most " + std::to_string(max) + ", found " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::ReadDouble(const Field& field, std::optional<double> min,
                                         std::optional<double> max, bool min_exclusive) {
  std::optional<std::string> text = ReadScalar(field, "a number");
  if (!text) return std::nullopt;
  std::optional<double> value = ToDouble(*text);
  if (!value) {
    Report(field.mark, field.path, "expected a number, found " + Describe(field.node));
    return std::nullopt;
  }
  if (min && (min_exclusive ? *value <= *min : *value < *min)) {
    Report(field.mark, field.path,
           std::string(min_exclusive ? "must be greater than " : "must be at least ") + FormatNumber(*min) +
               ", found " + *text);
    return std::nullopt;
  }
  if (max && *value > *max) {
    Report(field.mark, field.path, "must be at most " + FormatNumber(*max) + ", found " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Reader::ReadBool(const Field& field) {
  std::optional<std::string> text = ReadScalar(field, "true or false");
  if (!text) return std::nullopt;
  std::optional<bool> value = ToBool(*text);
  if (!value) Report(field.mark, field.path, "expected true or false, found " + Describe(field.node));
  return value;
}

std::optional<int64_t> Reader::ReadBytes(const Field& field, int64_t min_bytes, int64_t max_bytes) {
  std::optional<std::string> text = ReadScalar(field, "a size such as 100B or 4KiB");
  if (!text) return std::nullopt;
  Result<int64_t> bytes = ParseBytes(*text);
  if (!bytes.ok()) {
    Report(field.mark, field.path, bytes.status().message());
    return std::nullopt;
  }
  if (*bytes < min_bytes) {
    Report(field.mark, field.path,
           "must be at least " + FormatBytes(static_cast<double>(min_bytes)) + " (" +
               std::to_string(min_bytes) + " bytes), found " + *text);
    return std::nullopt;
  }
  if (*bytes > max_bytes) {
    Report(field.mark, field.path,
           "must be at most " + FormatBytes(static_cast<double>(max_bytes)) + " (" +
               std::to_string(max_bytes) + " bytes), found " + *text);
    return std::nullopt;
  }
  return *bytes;
}

std::optional<int64_t> Reader::ReadDurationNs(const Field& field, int64_t min_ns, int64_t max_ns) {
  std::optional<std::string> text = ReadScalar(field, "a duration such as 500ms or 10s");
  if (!text) return std::nullopt;
  Result<int64_t> ns = ParseDurationNs(*text);
  if (!ns.ok()) {
    Report(field.mark, field.path, ns.status().message());
    return std::nullopt;
  }
  if (*ns < min_ns) {
    Report(field.mark, field.path,
           min_ns == 1
               ? "must be greater than 0, found " + *text
               : "must be at least " + FormatDurationNs(static_cast<double>(min_ns)) + ", found " + *text);
    return std::nullopt;
  }
  if (*ns > max_ns) {
    Report(field.mark, field.path,
           "must be at most " + FormatDurationNs(static_cast<double>(max_ns)) + ", found " + *text);
    return std::nullopt;
  }
  return *ns;
}

std::optional<std::string> Reader::ReadChoice(const Field& field, const std::vector<std::string>& choices) {
  std::optional<std::string> text = ReadScalar(field, "one of " + JoinQuoted(choices));
  if (!text) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *text) != choices.end()) return text;
  Report(field.mark, field.path, Describe(field.node) + " is not one of " + JoinQuoted(choices),
         DidYouMean(*text, choices));
  return std::nullopt;
}

}  // namespace bakeoff::spec_internal
