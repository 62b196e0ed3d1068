// "Did you mean" suggestions for misspelt keys, drivers, providers and enum values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bakeoff::spec_internal {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII case.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `given` if it is close enough to be a likely typo, else "". Close enough:
// within a third of the candidate's length (at least 1, at most 3 edits), or one is a prefix of the other.
std::string ClosestMatch(std::string_view given, const std::vector<std::string>& candidates);

// "did you mean `x`?" for the closest match, or "" when nothing is close.
std::string DidYouMean(std::string_view given, const std::vector<std::string>& candidates);

// "a, b, c" with each name in backquotes.
std::string JoinQuoted(const std::vector<std::string>& names);

}  // namespace bakeoff::spec_internal
