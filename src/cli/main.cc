// The bakeoff program: parses arguments and calls into the library. Nothing else lives here.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace bakeoff;
  CLI::App app{
      "bakeoff compares streaming and messaging systems fairly and reproducibly.\n"
      "Write one experiment file (see examples/), then:\n"
      "  bakeoff validate examples/quickstart.yaml   check it without running anything\n"
      "  bakeoff run examples/quickstart.yaml        provision, measure, compare, tear down\n"
      "  bakeoff drivers                             list drivers and their options\n",
      "bakeoff"};
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(BAKEOFF_VERSION));

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Run an experiment: every system in turn with the same workload.");
  run->add_option("file", run_args.file, "Experiment file (YAML)")->required()->check(CLI::ExistingFile);
  run->add_option("-o,--output", run_args.output_dir,
                  "Directory for result.json (default: <output.dir>/<UTC time>-<name>/)");
  run->add_flag("-q,--quiet", run_args.quiet, "No per-second progress lines");
  run->footer(kExitCodesHelp);

  std::vector<std::string> validate_files;
  CLI::App* validate = app.add_subcommand("validate", "Check experiment files without running them.");
  validate->add_option("files", validate_files, "Experiment files (YAML)")->required();

  std::string driver_name;
  CLI::App* drivers = app.add_subcommand("drivers", "List drivers and their options.");
  drivers->add_option("name", driver_name, "Show only this driver");

  std::string provider_name;
  CLI::App* providers = app.add_subcommand("providers", "List environment providers and their options.");
  providers->add_option("name", provider_name, "Show only this provider");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadExperiment;
  }

  try {
    if (*run) return RunCommand(run_args);
    if (*validate) return ValidateCommand(validate_files);
    if (*drivers) return DriversCommand(driver_name);
    if (*providers) return ProvidersCommand(provider_name);
  } catch (const std::exception& e) {
    std::cerr << "bakeoff: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitBadExperiment;
}
