#include "spec/suggest.h"

#include "spec/internal/suggest.h"

namespace bakeoff {

std::string DidYouMeanSuffix(std::string_view given, const std::vector<std::string>& candidates) {
  const std::string text = spec_internal::DidYouMean(given, candidates);
  return text.empty() ? "" : " (" + text + ")";
}

}  // namespace bakeoff
