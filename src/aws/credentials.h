// AWS credentials and region: from explicit values (already resolved, e.g. from "${env:NAME}" option
// references), else the standard environment variables, else (where the caller allows it) the standard
// shared credentials file. Secrets are never logged: Credentials has no printer, and Describe() shows
// the access key id and where it came from only.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty without temporary credentials
  // The shared credentials file and profile they were read from ("/home/me/.aws/credentials [default]");
  // empty for explicit values and environment variables. Safe to log.
  std::string source;
};

struct CredentialInputs {
  std::string access_key_id;      // empty = AWS_ACCESS_KEY_ID
  std::string secret_access_key;  // empty = AWS_SECRET_ACCESS_KEY
  std::string session_token;      // empty = AWS_SESSION_TOKEN (only when the key id came from the env too)
  // When neither the values above nor the environment give a key id or a secret: the profile
  // AWS_PROFILE (else "default") of the file AWS_SHARED_CREDENTIALS_FILE (else ~/.aws/credentials), with
  // aws_access_key_id, aws_secret_access_key and optionally aws_session_token. Off by default so that
  // callers whose behaviour without credentials matters (a local stand-in) opt in knowingly.
  bool allow_shared_file = false;
};

// Explicit values win per field; the session token comes from the environment only together with an
// access key id from the environment (a token never pairs with a key it was not issued for). The shared
// file is read only when no key id and no secret were found before it, and then gives all three fields.
// Unauthenticated error naming the missing variable (and file) when no key id or secret can be found,
// or when an AWS_PROFILE is named that the file does not have.
Result<Credentials> ResolveCredentials(const CredentialInputs& inputs);

// `explicit_region` if not empty, else AWS_REGION, else AWS_DEFAULT_REGION, else `fallback`.
std::string ResolveRegion(const std::string& explicit_region, const std::string& fallback);

// "access key AKID... (session token: yes)", with " from FILE [profile]" for the shared file - safe to log.
std::string Describe(const Credentials& credentials);

}  // namespace bakeoff::aws
