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
  std::vector<std::string> systems;  // --system NAME: only these
  std::vector<std::string> sets;     // --set PATH=VALUE overrides
  bool force = false;                // --force: --output may hold an earlier result
};

int RunCommand(const RunArgs& args);
int ValidateCommand(const std::vector<std::string>& files);
int DriversCommand(const std::string& only);
int ProvidersCommand(const std::string& only);

}  // namespace bakeoff
