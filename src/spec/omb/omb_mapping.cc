#include "spec/omb/omb_mapping.h"

#include <cstdio>
#include <filesystem>

namespace bakeoff::omb_internal {

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string DurationText(int64_t ns) {
  constexpr int64_t kSecond = 1'000'000'000;
  if (ns > 0 && ns % (60 * kSecond) == 0) return std::to_string(ns / (60 * kSecond)) + "m";
  if (ns % kSecond == 0) return std::to_string(ns / kSecond) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  return std::to_string(ns / 1000) + "us";
}

std::string NumberText(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::string RateText(double per_second) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.3f", per_second);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text + "/s";
}

std::string SafeName(const std::string& text, const std::string& fallback) {
  std::string out;
  bool gap = false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += '-';
    gap = false;
    out += c;
  }
  if (out.size() > 100) out.resize(100);
  return out.empty() ? fallback : out;
}

std::string LineOf(const spec_internal::Reader& reader, const YAML::Mark& mark) {
  const SourceLocation where = reader.Locate(mark);
  return std::filesystem::path(where.file).filename().string() + ":" + std::to_string(where.line);
}

}  // namespace bakeoff::omb_internal
