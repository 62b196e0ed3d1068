// "Did you mean" for names outside experiment files too (a driver named on the command line, say).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bakeoff {

// " (did you mean `kafka`?)" for the closest candidate, or "" when none is close.
std::string DidYouMeanSuffix(std::string_view given, const std::vector<std::string>& candidates);

}  // namespace bakeoff
