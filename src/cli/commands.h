// The CLI's subcommands. Each returns an exit code from exit_codes.h.
#pragma once

#include <string>
#include <vector>

namespace bakeoff {

struct RunArgs {
  std::string file;
  std::string output_dir;
  bool quiet = false;
  bool keep_environments = false;  // --keep
  std::string results_dir;         // --results-dir: where index.sqlite lives
};

int RunCommand(const RunArgs& args);
int ValidateCommand(const std::vector<std::string>& files);
int DriversCommand(const std::string& only);
int ProvidersCommand(const std::string& only);

}  // namespace bakeoff
