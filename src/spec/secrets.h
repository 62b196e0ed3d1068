// Secret references in option values: "${env:NAME}" and "${file:PATH}". The reference text is what is
// stored in results and printed; the secret itself is resolved only when a client connects.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff {

// True if `text` contains a "${env:...}" or "${file:...}" reference.
bool HasSecretReference(const std::string& text);

// Replaces every reference in `text` by its value. An unset variable or unreadable file is an error
// naming the variable or the path (never the value).
Result<std::string> ResolveSecretReferences(const std::string& text);

}  // namespace bakeoff
