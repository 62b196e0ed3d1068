// AWS credentials and region: from explicit values (already resolved, e.g. from "${env:NAME}" option
// references) or else the standard environment variables. Secrets are never logged: Credentials has no
// printer, and Describe() shows the access key id only.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty without temporary credentials
};

struct CredentialInputs {
  std::string access_key_id;      // empty = AWS_ACCESS_KEY_ID
  std::string secret_access_key;  // empty = AWS_SECRET_ACCESS_KEY
  std::string session_token;      // empty = AWS_SESSION_TOKEN (only when the key id came from the env too)
};

// Explicit values win per field; the session token comes from the environment only together with an
// access key id from the environment (a token never pairs with a key it was not issued for).
// Unauthenticated error naming the missing variable when no key id or secret can be found.
Result<Credentials> ResolveCredentials(const CredentialInputs& inputs);

// `explicit_region` if not empty, else AWS_REGION, else AWS_DEFAULT_REGION, else `fallback`.
std::string ResolveRegion(const std::string& explicit_region, const std::string& fallback);

// "access key AKID... (session token: yes)" - safe to log.
std::string Describe(const Credentials& credentials);

}  // namespace bakeoff::aws
