#include "spec/secrets.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
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

bool IsSecretKey(const std::string& key) {
  std::string k;
  for (char c : key) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* const kExact[] = {"sasl.jaas.config", "sasl.oauthbearer.config",
                                       "ssl.key.pem",      "ssl.keystore.key",
                                       "ssl_key",          "sasl.kerberos.keytab"};
  for (const char* exact : kExact) {
    if (k == exact || (k.size() > std::strlen(exact) &&
                       k.compare(k.size() - std::strlen(exact), std::string::npos, exact) == 0 &&
                       k[k.size() - std::strlen(exact) - 1] == '.'))
      return true;
  }
  static const char* const kParts[] = {"password",   "passwd",     "passphrase",  "secret",
                                       "credential", "token",      "private.key", "private_key",
                                       "privatekey", "api.key",    "api_key",     "apikey",
                                       "access.key", "access_key", "requirepass", "masterauth"};
  for (const char* part : kParts) {
    if (k.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string RedactedValue(const std::string& key, const std::string& value) {
  if (!IsSecretKey(key) || HasSecretReference(value)) return value;
  return kRedacted;
}

}  // namespace bakeoff
