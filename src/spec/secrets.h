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

// Whether a pass-through setting (producer_config, consumer_config, topic config, ...) named `key`
// holds a secret: the known ones (sasl.password, sasl.jaas.config, ssl.key.password,
// ssl.keystore.password, ssl.truststore.password, sasl.oauthbearer.client.secret, ...) and any key
// naming a password, passphrase, secret, credential, token or private key. Case-insensitive.
bool IsSecretKey(const std::string& key);

inline constexpr const char* kRedacted = "<redacted>";

// `value` as it may be recorded under `key`: a secret key's value is kRedacted unless it is (or
// contains) a ${env:}/${file:} reference, whose text names the secret without revealing it.
std::string RedactedValue(const std::string& key, const std::string& value);

}  // namespace bakeoff
