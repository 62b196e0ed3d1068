#include "aws/credentials.h"

#include <cstdlib>

namespace bakeoff::aws {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

Result<Credentials> ResolveCredentials(const CredentialInputs& inputs) {
  Credentials c;
  const bool key_from_env = inputs.access_key_id.empty();
  c.access_key_id = key_from_env ? Env("AWS_ACCESS_KEY_ID") : inputs.access_key_id;
  c.secret_access_key =
      inputs.secret_access_key.empty() ? Env("AWS_SECRET_ACCESS_KEY") : inputs.secret_access_key;
  c.session_token = inputs.session_token;
  if (c.session_token.empty() && key_from_env) c.session_token = Env("AWS_SESSION_TOKEN");
  if (c.access_key_id.empty()) {
    return Unauthenticated("aws: no access key id (option access_key_id or AWS_ACCESS_KEY_ID)");
  }
  if (c.secret_access_key.empty()) {
    return Unauthenticated("aws: no secret access key (option secret_access_key or AWS_SECRET_ACCESS_KEY)");
  }
  return c;
}

std::string ResolveRegion(const std::string& explicit_region, const std::string& fallback) {
  if (!explicit_region.empty()) return explicit_region;
  std::string region = Env("AWS_REGION");
  if (region.empty()) region = Env("AWS_DEFAULT_REGION");
  return region.empty() ? fallback : region;
}

std::string Describe(const Credentials& credentials) {
  return "access key " + credentials.access_key_id +
         " (session token: " + (credentials.session_token.empty() ? "no" : "yes") + ")";
}

}  // namespace bakeoff::aws
