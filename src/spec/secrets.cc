#include "spec/secrets.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "spec/bounded_file.h"
#include "spec/limits.h"

namespace bakeoff {
namespace {

struct Reference {
  size_t begin = 0;  // index of '$'
  size_t end = 0;    // one past '}'
  bool is_env = false;
  std::string target;  // variable name or file path
};

// Finds the next well-formed reference at or after `from`.
std::optional<Reference> FindReference(const std::string& text, size_t from) {
  for (size_t pos = text.find("${", from); pos != std::string::npos; pos = text.find("${", pos + 2)) {
    Reference ref;
    size_t body = pos + 2;
    if (text.compare(body, 4, "env:") == 0) {
      ref.is_env = true;
      body += 4;
    } else if (text.compare(body, 5, "file:") == 0) {
      body += 5;
    } else {
      continue;
    }
    size_t close = text.find('}', body);
    if (close == std::string::npos || close == body) continue;
    ref.begin = pos;
    ref.end = close + 1;
    ref.target = text.substr(body, close - body);
    return ref;
  }
  return std::nullopt;
}

}  // namespace

bool HasSecretReference(const std::string& text) {
  return FindReference(text, 0).has_value();
}

Result<std::string> ResolveSecretReferences(const std::string& text) {
  std::string resolved;
  size_t copied = 0;
  for (auto ref = FindReference(text, 0); ref; ref = FindReference(text, ref->end)) {
    resolved.append(text, copied, ref->begin - copied);
    if (ref->is_env) {
      const char* value = std::getenv(ref->target.c_str());
      if (value == nullptr) return NotFound("environment variable " + ref->target + " is not set");
      resolved += value;
    } else {
      Result<std::string> content = ReadBoundedRegularFile(ref->target, kMaxSecretFileBytes, "secret file");
      if (!content.ok()) return IoError(content.status().message());
      std::string value = std::move(content).value();
      // Files written with `echo` end in a newline that is not part of the secret.
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      resolved += value;
    }
    copied = ref->end;
  }
  resolved.append(text, copied, std::string::npos);
  return resolved;
}

}  // namespace bakeoff
