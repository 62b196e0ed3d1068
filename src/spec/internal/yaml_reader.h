// Reading a yaml-cpp tree while collecting diagnostics. Every Read* helper either returns a value or
// records exactly one diagnostic and returns nullopt, so callers can keep going and report everything.
//
// Nothing here walks a tree recursively: YAML aliases can make cyclic graphs.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spec/diagnostic.h"

namespace bakeoff::spec_internal {

// One value of the file, where to point at it and how to name it.
struct Field {
  YAML::Node node;
  YAML::Mark mark;   // of the value; of its key when the value is empty
  std::string path;  // "workload.partitions", "systems[0]"

  std::string Child(const std::string& key) const { return path.empty() ? key : path + "." + key; }
};

struct MapEntry {
  std::string key;
  YAML::Mark key_mark;
  Field value;
};

const MapEntry* FindEntry(const std::vector<MapEntry>& entries, const std::string& key);

// Strict scalar conversions (whole text must match); nullopt if the text is not of that type.
std::optional<int64_t> ToInt(const std::string& text);
std::optional<double> ToDouble(const std::string& text);
std::optional<bool> ToBool(const std::string& text);

// Shortest text for a number in messages: "0.5", "1000".
std::string FormatNumber(double value);

class Reader {
 public:
  explicit Reader(std::string file_name) : file_name_(std::move(file_name)) {}

  SourceLocation Locate(const YAML::Mark& mark) const;
  void Report(const YAML::Mark& mark, std::string path, std::string message, std::string suggestion = "");
  void Add(Diagnostic diagnostic) { diagnostics_.push_back(std::move(diagnostic)); }
  bool has_diagnostics() const { return !diagnostics_.empty(); }
  // All diagnostics reported so far, in file order.
  std::vector<Diagnostic> TakeDiagnostics();

  // "a map", "a list", "nothing", "`six`".
  static std::string Describe(const YAML::Node& node);

  // The entries of a map in file order. Reports (and skips) keys that are not plain scalars, repeated
  // keys, and keys not in `allowed` (when given; with a did-you-mean). `context` completes "unknown
  // key `x` <context>", e.g. "in `workload`". An empty value counts as an empty map.
  std::optional<std::vector<MapEntry>> ReadMap(const Field& field, const std::vector<std::string>* allowed,
                                               const std::string& context, const std::string& noun = "key");
  // Reports "missing required <noun> `key`" at the map when `key` is absent.
  const MapEntry* Require(const std::vector<MapEntry>& entries, const Field& map, const std::string& key,
                          const std::string& expected);

  // `expected` describes the wanted value in messages, e.g. "a system name".
  std::optional<std::string> ReadScalar(const Field& field, const std::string& expected);
  std::optional<int64_t> ReadInt(const Field& field, int64_t min, int64_t max);
  std::optional<double> ReadDouble(const Field& field, std::optional<double> min, std::optional<double> max,
                                   bool min_exclusive = false);
  std::optional<bool> ReadBool(const Field& field);
  std::optional<int64_t> ReadBytes(const Field& field, int64_t min_bytes, int64_t max_bytes);
  std::optional<int64_t> ReadDurationNs(const Field& field, int64_t min_ns, int64_t max_ns);
  // One of `choices` (exact); reports the choices and a did-you-mean otherwise.
  std::optional<std::string> ReadChoice(const Field& field, const std::vector<std::string>& choices);

 private:
  std::string file_name_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace bakeoff::spec_internal
