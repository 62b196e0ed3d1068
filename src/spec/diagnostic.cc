#include "spec/diagnostic.h"

namespace bakeoff {

std::string Diagnostic::ToString() const {
  std::string text = location.file;
  if (location.line > 0) text += ":" + std::to_string(location.line) + ":" + std::to_string(location.column);
  text += ": ";
  if (!field_path.empty()) text += field_path + ": ";
  text += message;
  if (!suggestion.empty()) text += " (" + suggestion + ")";
  return text;
}

}  // namespace bakeoff
