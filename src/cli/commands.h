// The CLI's subcommands. Each returns an exit code from exit_codes.h.
#pragma once

#include <string>
#include <vector>

namespace bakeoff {

// `--omb WORKLOAD --omb-driver DRIVER [--environment E] [--duration-scale F] [--rate-scale F]`.
struct OmbArgs {
  std::string workload;
  std::string driver;
  std::string environment = "existing";
  double duration_scale = 1.0;
  double rate_scale = 1.0;
};

struct RunArgs {
  std::string file;  // or, when omb.workload is given, the experiment imported from OMB files
  OmbArgs omb;
  std::string output_dir;
  bool quiet = false;
  bool keep_environments = false;    // --keep
  std::string results_dir;           // --results-dir: where index.sqlite lives
  std::vector<std::string> systems;  // --system NAME: only these
  std::vector<std::string> sets;     // --set PATH=VALUE overrides
  bool force = false;                // --force: --output may hold an earlier result
};

int RunCommand(const RunArgs& args);
// `bakeoff import omb`: writes the imported experiment to `output` (stdout when empty), then validates it.
int ImportOmbCommand(const OmbArgs& args, const std::string& output);
int ValidateCommand(const std::vector<std::string>& files);
int DriversCommand(const std::string& only);
int ProvidersCommand(const std::string& only);

}  // namespace bakeoff
