#include "aws/credentials.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>

namespace bakeoff::aws {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

// AWS_SHARED_CREDENTIALS_FILE (a leading "~/" is the home directory, as the AWS CLI reads it), else
// ~/.aws/credentials; "" without a home directory.
std::string SharedCredentialsPath() {
  std::string path = Env("AWS_SHARED_CREDENTIALS_FILE");
  const std::string home = Env("HOME");
  if (path.rfind("~/", 0) == 0) path = home.empty() ? "" : home + path.substr(1);
  if (path.empty() && !home.empty()) path = home + "/.aws/credentials";
  return path;
}

struct Profile {
  bool found = false;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

// The keys of section [`name`] in the INI-style file at `path`; nullopt when the file cannot be read.
// Comment lines start with '#' or ';'; key names are case-insensitive; values are taken whole (no
// inline comments), so a secret containing '#' survives.
std::optional<Profile> ReadProfile(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Profile profile;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      inside = Trim(line.substr(1, line.size() - 2)) == name;
      profile.found = profile.found || inside;
      continue;
    }
    const size_t eq = line.find('=');
    if (!inside || eq == std::string::npos) continue;
    std::string key = Trim(line.substr(0, eq));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") profile.access_key_id = value;
    if (key == "aws_secret_access_key") profile.secret_access_key = value;
    if (key == "aws_session_token") profile.session_token = value;
  }
  return profile;
}

// Credentials from the shared file; nullopt when there is no file or (for the default profile) no
// section to take them from. Errors name the file, the profile and the missing key, never a value.
Result<std::optional<Credentials>> FromSharedFile(const std::string& path) {
  const std::string named_profile = Env("AWS_PROFILE");
  const std::string profile_name = named_profile.empty() ? "default" : named_profile;
  const std::string where = path + " [" + profile_name + "]";
  std::optional<Profile> profile = path.empty() ? std::nullopt : ReadProfile(path, profile_name);
  if (!profile || !profile->found) {
    if (named_profile.empty()) return std::optional<Credentials>();
    const std::string what = "aws: AWS_PROFILE names profile [" + named_profile + "]";
    if (profile) return Unauthenticated(what + ", which " + path + " does not have");
    if (path.empty())
      return Unauthenticated(what + ", but neither AWS_SHARED_CREDENTIALS_FILE nor HOME is set");
    return Unauthenticated(what + ", but " + path + " cannot be read");
  }
  if (profile->access_key_id.empty()) return Unauthenticated("aws: no aws_access_key_id in " + where);
  if (profile->secret_access_key.empty()) {
    return Unauthenticated("aws: no aws_secret_access_key in " + where);
  }
  return std::optional<Credentials>(Credentials{std::move(profile->access_key_id),
                                                std::move(profile->secret_access_key),
                                                std::move(profile->session_token), where});
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
  std::string file_hint;
  if (inputs.allow_shared_file && c.access_key_id.empty() && c.secret_access_key.empty()) {
    const std::string path = SharedCredentialsPath();
    Result<std::optional<Credentials>> from_file = FromSharedFile(path);
    if (!from_file.ok()) return from_file.status();
    if (from_file->has_value()) return std::move(**from_file);
    if (!path.empty()) file_hint = ", or a [default] profile in " + path;
  }
  if (c.access_key_id.empty()) {
    return Unauthenticated("aws: no access key id (option access_key_id or AWS_ACCESS_KEY_ID" + file_hint +
                           ")");
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
         (credentials.source.empty() ? "" : " from " + credentials.source) +
         " (session token: " + (credentials.session_token.empty() ? "no" : "yes") + ")";
}

}  // namespace bakeoff::aws
