#include "spec/internal/suggest.h"

#include <algorithm>
#include <cctype>

namespace bakeoff::spec_internal {

int EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  const size_t n = a.size();
  const size_t m = b.size();
  // Three rolling rows: i-2, i-1, i.
  std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
  for (size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[m];
}

namespace {

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  return EditDistance(text.substr(0, prefix.size()), prefix) == 0;
}

}  // namespace

std::string ClosestMatch(std::string_view given, const std::vector<std::string>& candidates) {
  if (given.empty()) return "";
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : candidates) {
    int distance = EditDistance(given, candidate);
    int limit = std::clamp(static_cast<int>(candidate.size()) / 3, 1, 3);
    bool prefix = std::min(given.size(), candidate.size()) >= 3 &&
                  (StartsWithIgnoreCase(candidate, given) || StartsWithIgnoreCase(given, candidate));
    // Replacing every letter is not a typo (`2` is not a misspelt `0`).
    bool all_replaced = distance >= static_cast<int>(std::min(given.size(), candidate.size()));
    if ((distance > limit || all_replaced) && !prefix) continue;
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view given, const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(given, candidates);
  return match.empty() ? "" : "did you mean `" + match + "`?";
}

std::string JoinQuoted(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += "`" + name + "`";
  }
  return text;
}

}  // namespace bakeoff::spec_internal
