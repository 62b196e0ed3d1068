#include "spec/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

namespace bakeoff {
namespace {

struct Unit {
  const char* name;
  long double scale;
};

// Case-insensitive, because "1kib" and "1MB" mean the same to everyone who writes them.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const Unit* FindUnit(const std::vector<Unit>& units, std::string_view name, bool ignore_case) {
  for (const Unit& unit : units) {
    if (ignore_case ? EqualsIgnoreCase(unit.name, name) : name == unit.name) return &unit;
  }
  return nullptr;
}

// A left-to-right reader over the text of one quantity.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  void SkipSpaces() {
    while (!done() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  // Consumes a leading sign; returns true for '-'.
  bool TakeSign() {
    if (peek() == '-') return ++pos_, true;
    if (peek() == '+') ++pos_;
    return false;
  }
  // Consumes "123", "1.5", ".5"; nullopt (nothing consumed) if no digits are here.
  std::optional<long double> TakeNumber() {
    size_t start = pos_;
    long double value = 0;
    int digits = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (text_[pos_++] - '0');
      ++digits;
    }
    if (peek() == '.') {
      ++pos_;
      long double scale = 0.1L;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        value += (text_[pos_++] - '0') * scale;
        scale /= 10;
        ++digits;
      }
    }
    if (digits == 0) {
      pos_ = start;
      return std::nullopt;
    }
    return value;
  }
  // Consumes the longest run of characters that are neither digits, '.', spaces nor '/'.
  std::string_view TakeWord() {
    size_t start = pos_;
    while (!done()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (std::isdigit(c) || std::isspace(c) || c == '.' || c == '/') break;
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  std::string_view rest() const { return text_.substr(std::min(pos_, text_.size())); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Quotes user text for a message, shortened so that a runaway value cannot flood the terminal.
std::string Quote(std::string_view text) {
  if (text.size() > 40) return "`" + std::string(text.substr(0, 37)) + "...`";
  return "`" + std::string(text) + "`";
}

constexpr long double kMaxInt64 = static_cast<long double>(std::numeric_limits<int64_t>::max());

const std::vector<Unit>& ByteUnits() {
  static const std::vector<Unit> units = {
      {"B", 1},
      {"KB", 1e3L},
      {"KiB", 1024.0L},
      {"MB", 1e6L},
      {"MiB", 1048576.0L},
      {"GB", 1e9L},
      {"GiB", 1073741824.0L},
      {"TB", 1e12L},
      {"TiB", 1099511627776.0L},
  };
  return units;
}

const std::vector<Unit>& DurationUnits() {
  static const std::vector<Unit> units = {
      {"ns", 1},   {"us", 1e3L}, {"\xC2\xB5s", 1e3L}, {"ms", 1e6L},
      {"s", 1e9L}, {"m", 60e9L}, {"min", 60e9L},      {"h", 3600e9L},
  };
  return units;
}

}  // namespace

Result<int64_t> ParseBytes(std::string_view text) {
  static const char* kExpected = "expected a size such as 100B, 4KiB or 1.5MiB";
  Cursor cursor(text);
  cursor.SkipSpaces();
  bool negative = cursor.TakeSign();
  std::optional<long double> number = cursor.TakeNumber();
  if (!number) return InvalidArgument(Quote(text) + " is not a size; " + kExpected);
  cursor.SkipSpaces();
  std::string_view unit_name = cursor.TakeWord();
  cursor.SkipSpaces();
  long double scale = 1;  // a bare number is bytes
  if (!unit_name.empty()) {
    const Unit* unit = FindUnit(ByteUnits(), unit_name, /*ignore_case=*/true);
    if (unit == nullptr) {
      return InvalidArgument("unknown size unit " + Quote(unit_name) + " in " + Quote(text) +
                             "; expected B, KB, KiB, MB, MiB, GB, GiB, TB or TiB");
    }
    scale = unit->scale;
  }
  if (!cursor.done())
    return InvalidArgument("unexpected " + Quote(cursor.rest()) + " in " + Quote(text) + "; " + kExpected);
  if (negative && *number != 0) return InvalidArgument("size " + Quote(text) + " must not be negative");
  long double bytes = std::round(*number * scale);
  if (bytes > kMaxInt64) return InvalidArgument("size " + Quote(text) + " is too large");
  return static_cast<int64_t>(bytes);
}

Result<int64_t> ParseDurationNs(std::string_view text) {
  static const char* kExpected = "expected a duration such as 500ms, 10s, 2m or 1m30s";
  Cursor cursor(text);
  cursor.SkipSpaces();
  bool negative = cursor.TakeSign();
  long double total_ns = 0;
  int parts = 0;
  while (!cursor.done()) {
    std::optional<long double> number = cursor.TakeNumber();
    if (!number) {
      return InvalidArgument(Quote(text) + " is not a duration; " + kExpected);
    }
    cursor.SkipSpaces();
    std::string_view unit_name = cursor.TakeWord();
    if (unit_name.empty()) {
      return InvalidArgument("duration " + Quote(text) +
                             " needs a unit (ns, us, ms, s, m or h), e.g. 10s or 500ms");
    }
    const Unit* unit = FindUnit(DurationUnits(), unit_name, /*ignore_case=*/false);
    if (unit == nullptr) {
      return InvalidArgument("unknown duration unit " + Quote(unit_name) + " in " + Quote(text) +
                             "; expected ns, us, ms, s, m or h");
    }
    total_ns += *number * unit->scale;
    ++parts;
    cursor.SkipSpaces();
  }
  if (parts == 0) return InvalidArgument(Quote(text) + " is not a duration; " + kExpected);
  if (negative && total_ns != 0) return InvalidArgument("duration " + Quote(text) + " must not be negative");
  long double rounded = std::round(total_ns);
  if (rounded > kMaxInt64) return InvalidArgument("duration " + Quote(text) + " is too long");
  return static_cast<int64_t>(rounded);
}

Result<double> ParseRatePerSecond(std::string_view text) {
  static const char* kExpected = "expected a rate such as 500/s, 20k/s or 1.5M/s, or `max`";
  Cursor cursor(text);
  cursor.SkipSpaces();
  bool negative = cursor.TakeSign();
  std::optional<long double> number = cursor.TakeNumber();
  if (!number) return InvalidArgument(Quote(text) + " is not a rate; " + kExpected);
  cursor.SkipSpaces();
  std::string_view multiplier = cursor.TakeWord();
  long double scale = 1;
  if (multiplier == "k" || multiplier == "K") {
    scale = 1e3L;
  } else if (multiplier == "M") {
    scale = 1e6L;
  } else if (multiplier == "G") {
    scale = 1e9L;
  } else if (!multiplier.empty()) {
    return InvalidArgument("unknown rate multiplier " + Quote(multiplier) + " in " + Quote(text) +
                           "; expected k (thousand), M (million) or G (billion)");
  }
  cursor.SkipSpaces();
  if (cursor.peek() == '/') {
    std::string_view per = cursor.rest().substr(1);
    if (per != "s" && per != "sec") {
      return InvalidArgument("rate " + Quote(text) + " must be per second, e.g. 20k/s");
    }
  } else if (!cursor.done()) {
    return InvalidArgument("unexpected " + Quote(cursor.rest()) + " in " + Quote(text) + "; " + kExpected);
  }
  long double rate = *number * scale;
  if (negative || rate <= 0) return InvalidArgument("rate " + Quote(text) + " must be positive");
  if (rate > static_cast<long double>(std::numeric_limits<double>::max())) {
    return InvalidArgument("rate " + Quote(text) + " is too large");
  }
  return static_cast<double>(rate);
}

namespace {

// Three significant digits: "1.20", "12.5", "250".
std::string ThreeDigits(double value) {
  char buffer[32];
  double magnitude = std::fabs(value);
  int decimals = magnitude < 9.995 ? 2 : magnitude < 99.95 ? 1 : 0;
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

}  // namespace

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = bytes;
  size_t unit = 0;
  while (std::fabs(value) >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buffer[48];
  if (unit == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f B", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f %s", std::fabs(value) < 99.95 ? 1 : 0, value, kUnits[unit]);
  }
  return buffer;
}

std::string FormatDurationNs(double ns) {
  double magnitude = std::fabs(ns);
  if (magnitude < 1e3) return std::to_string(std::llround(ns)) + " ns";
  if (magnitude < 999.5e3) return ThreeDigits(ns / 1e3) + " us";
  if (magnitude < 999.5e6) return ThreeDigits(ns / 1e6) + " ms";
  if (magnitude < 600e9) return ThreeDigits(ns / 1e9) + " s";
  if (magnitude < 7200e9) return ThreeDigits(ns / 60e9) + " min";
  return ThreeDigits(ns / 3600e9) + " h";
}

std::string FormatCount(double count) {
  static const char* kSuffixes[] = {"", " k", " M", " G", " T"};
  double value = count;
  size_t suffix = 0;
  while (std::fabs(value) >= 999.5 && suffix + 1 < std::size(kSuffixes)) {
    value /= 1000;
    ++suffix;
  }
  char buffer[48];
  if (suffix == 0) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g%s", value, kSuffixes[suffix]);
  }
  return buffer;
}

}  // namespace bakeoff
