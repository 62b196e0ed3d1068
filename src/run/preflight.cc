#include "run/preflight.h"

#include <cstdlib>
#include <set>
#include <variant>

#include "env/provider.h"

namespace bakeoff {
namespace {

// Where `needle` first occurs in `text` outside a `#` comment, as file:line:col, else `fallback`.
SourceLocation Locate(const std::string& text, const std::string& needle, const SourceLocation& fallback) {
  size_t at = text.find(needle);
  while (at != std::string::npos) {
    const size_t line_begin = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
    if (text.substr(line_begin, at - line_begin).find('#') == std::string::npos) break;
    at = text.find(needle, at + 1);
  }
  if (at == std::string::npos) return fallback;
  SourceLocation location = fallback;
  location.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++location.line;
      line_start = i + 1;
    }
  }
  location.column = static_cast<int>(at - line_start) + 1;
  return location;
}

// The names of `${env:NAME}` references in `value` whose variable is not set.
std::vector<std::string> UnsetVariables(const std::string& value) {
  std::vector<std::string> unset;
  for (size_t at = value.find("${env:"); at != std::string::npos; at = value.find("${env:", at + 1)) {
    const size_t end = value.find('}', at);
    if (end == std::string::npos) break;
    const std::string name = value.substr(at + 6, end - at - 6);
    if (!name.empty() && std::getenv(name.c_str()) == nullptr) unset.push_back(name);
  }
  return unset;
}

void CheckReferences(const OptionValues& options, const std::string& field_prefix, const SystemSpec& system,
                     const std::string& text, std::vector<Diagnostic>& out) {
  const auto check = [&](const std::string& field, const std::string& value) {
    for (const std::string& name : UnsetVariables(value)) {
      out.push_back(Diagnostic{Locate(text, "${env:" + name + "}", system.location), field,
                               "environment variable " + name + " is not set (the value is read when " +
                                   system.name + " connects)",
                               "export " + name + " before running, or give `${file:PATH}`"});
    }
  };
  for (const auto& [name, value] : options.all()) {
    if (const auto* s = std::get_if<std::string>(&value)) check(field_prefix + name, *s);
    if (const auto* map = std::get_if<std::map<std::string, std::string>>(&value)) {
      for (const auto& [key, v] : *map) check(field_prefix + name + "." + key, v);
    }
  }
}

void CheckSystem(const SystemSpec& system, const std::string& text, std::vector<Diagnostic>& out) {
  const std::string field = "systems." + system.name;
  if (Provider* provider = FindProvider(system.environment.provider)) {
    if (Status st = provider->Check(system); !st.ok()) {
      out.push_back(Diagnostic{system.location, field + ".environment", st.message(), ""});
    }
  }
  CheckReferences(system.options, field + ".options.", system, text, out);
  CheckReferences(system.environment.options, field + ".environment.", system, text, out);
}

}  // namespace

std::vector<Diagnostic> PreflightExperiment(const Experiment& experiment, const std::string& file_text) {
  std::vector<Diagnostic> unique;
  std::set<std::string> seen;
  for (const SystemSpec& system : experiment.systems) {
    std::vector<Diagnostic> found;
    CheckSystem(system, file_text, found);
    for (Diagnostic& d : found) {
      if (seen.insert(d.ToString()).second) unique.push_back(std::move(d));
    }
  }
  // A matrix point may change a system's settings (`systems.redis.environment.nodes: [1, 3]`): its own
  // problems name the point.
  for (const MatrixPoint& point : experiment.points) {
    std::string values;
    for (const auto& [path, value] : point.values)
      values += (values.empty() ? "" : ", ") + path + "=" + value;
    for (const SystemSpec& system : point.systems) {
      std::vector<Diagnostic> found;
      CheckSystem(system, file_text, found);
      for (Diagnostic& d : found) {
        if (!seen.insert(d.ToString()).second) continue;
        if (!values.empty()) d.message += " (at matrix point " + values + ")";
        unique.push_back(std::move(d));
      }
    }
  }
  return unique;
}

}  // namespace bakeoff
