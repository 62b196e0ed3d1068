// The client side of `bakeoff serve` for `bakeoff submit|queue|cancel`: cpp-httplib's client, the
// server URL and token from flags or $BAKEOFF_SERVER / $BAKEOFF_TOKEN_FILE. Prints for a person; each
// method returns the command's exit code.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff {

class ServiceClient {
 public:
  // `server` / `token_file` empty: from the environment; the token is read from the file, never argv.
  static Result<ServiceClient> FromFlags(const std::string& server, const std::string& token_file);

  // POST the file; with `wait`, follow its events and exit like `bakeoff run` would have.
  int Submit(const std::string& file, bool wait) const;
  int PrintQueue() const;
  int Cancel(const std::string& id) const;

 private:
  ServiceClient(std::string server, std::string token) : server_(std::move(server)), token_(std::move(token)) {}
  int Follow(const std::string& id) const;
  std::string server_;
  std::string token_;
};

}  // namespace bakeoff
