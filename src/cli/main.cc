// The bakeoff program: parses arguments and calls into the library. Nothing else lives here.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/env_commands.h"
#include "cli/exit_codes.h"
#include "cli/results_commands.h"
#include "cli/serve_commands.h"

namespace {

// The flags `bakeoff run --omb` and `bakeoff import omb` share.
void AddOmbOptions(CLI::App& command, bakeoff::OmbArgs& args, bool workload_positional) {
  if (workload_positional) {
    command.add_option("workload", args.workload, "OMB workload file (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
  } else {
    command.add_option("--omb", args.workload, "OMB workload file (YAML) to import and run")
        ->check(CLI::ExistingFile);
  }
  CLI::Option* driver = command
                            .add_option("--omb-driver", args.driver,
                                        "OMB driver file (YAML): Kafka, Redis, NATS JetStream or RabbitMQ")
                            ->check(CLI::ExistingFile);
  if (workload_positional) driver->required();
  command
      .add_option(
          "--environment", args.environment,
          "existing: connect to the hosts the driver file names; local: start the server(s) on this "
          "machine; embedded: librdkafka's mock cluster (Kafka only). local and embedded ignore the hosts")
      ->check(CLI::IsMember({"existing", "local", "embedded"}))
      ->default_str("existing");
  command
      .add_option("--duration-scale", args.duration_scale,
                  "Multiply warmupDurationMinutes, testDurationMinutes, a find_max search's step (10 s)\n"
                  "and consumerBacklogSizeGB (so a backlog builds as much faster), e.g. 0.05 for a smoke run")
      ->check(CLI::PositiveNumber)
      ->default_str("1");
  command
      .add_option("--rate-scale", args.rate_scale,
                  "Multiply producerRate (with producerRate 0: the find_max search's start, 10k/s)")
      ->check(CLI::PositiveNumber)
      ->default_str("1");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bakeoff;
  // A server that dies mid-run must give a write error, not kill bakeoff before it tears down.
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "bakeoff compares streaming and messaging systems fairly and reproducibly.\n"
      "Write one experiment file (see examples/), then:\n"
      "  bakeoff validate examples/quickstart.yaml   check it without running anything\n"
      "  bakeoff run examples/quickstart.yaml        provision, measure, compare, tear down\n"
      "  bakeoff drivers                             list drivers and their options\n"
      "  bakeoff import omb W.yaml --omb-driver D.yaml   OpenMessaging Benchmark files -> experiment\n",
      "bakeoff"};
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(BAKEOFF_VERSION));

  RunArgs run_args;
  CLI::App* run =
      app.add_subcommand("run", "Run an experiment: every system in turn with the same workload.");
  run->add_option("file", run_args.file, "Experiment file (YAML); or give --omb and --omb-driver instead")
      ->check(CLI::ExistingFile);
  run->add_option(
      "-o,--output", run_args.output_dir,
      "Directory for result.json (default: <results dir>/<UTC time>-<name>/; the results dir is "
      "--results-dir, else $BAKEOFF_RESULTS_DIR unless the file sets output.dir, else output.dir)");
  run->add_flag("-q,--quiet", run_args.quiet, "No per-second progress lines");
  run->add_option("--results-dir", run_args.results_dir,
                  "Where index.sqlite lives (default: $BAKEOFF_RESULTS_DIR, else the output's parent)");
  run->add_option("--system", run_args.systems, "Run only this system of the file (repeatable)");
  run->add_option("--set", run_args.sets,
                  "Override a value of the file before it is validated, as a matrix path: "
                  "--set workload.duration=5s, --set systems.kafka.options.acks=1 (repeatable)");
  run->add_flag("--force", run_args.force, "With --output: replace a result already there");
  run->add_flag("--keep", run_args.keep_environments,
                "Leave local environments running after the run (then `bakeoff env down ID`)");
  AddOmbOptions(*run, run_args.omb, /*workload_positional=*/false);
  run->footer(
      std::string("OpenMessaging Benchmark files run as they are:\n"
                  "  bakeoff run --omb workload.yaml --omb-driver kafka.yaml --environment local "
                  "--duration-scale 0.05\n"
                  "imports them in memory (see `bakeoff import omb --help`) and runs the result.\n\n") +
      kExitCodesHelp);

  OmbArgs import_args;
  std::string import_output;
  CLI::App* import =
      app.add_subcommand("import", "Translate another tool's files into a bakeoff experiment.");
  import->require_subcommand(1);
  CLI::App* import_omb = import->add_subcommand(
      "omb",
      "OpenMessaging Benchmark workload + driver files -> a bakeoff experiment file. Every line of the\n"
      "output names the OMB key it comes from; unknown or misspelt keys are errors with file:line:col\n"
      "(OMB ignores them). Driver files for Kafka, Redis, NATS (JetStream) and RabbitMQ are mapped.\n"
      "producerRate 0 becomes a find_max search, consumerBacklogSizeGB a backlog build and drain,\n"
      "subscriptionsPerTopic fan-out, randomizedPayloadPoolSize a payload pool.");
  AddOmbOptions(*import_omb, import_args, /*workload_positional=*/true);
  import_omb->add_option("-o,--output", import_output, "Write the experiment here (default: stdout)");
  import_omb->footer(
      "Example:\n"
      "  bakeoff import omb my-workload.yaml --omb-driver my-kafka.yaml \\\n"
      "      --environment local --duration-scale 0.1 -o kafka-1kb.yaml\n"
      "  bakeoff validate kafka-1kb.yaml && bakeoff run kafka-1kb.yaml\n"
      "The OMB files, --environment and the scales are kept in the experiment's description (and so in\n"
      "result.json). Every run also writes omb-result.json, OMB's result format, beside result.json.");

  std::vector<std::string> validate_files;
  CLI::App* validate = app.add_subcommand("validate", "Check experiment files without running them.");
  validate->add_option("files", validate_files, "Experiment files (YAML)")->required();

  std::string driver_name;
  CLI::App* drivers = app.add_subcommand("drivers", "List drivers and their options.");
  drivers->add_option("name", driver_name, "Show only this driver");

  std::string provider_name;
  CLI::App* providers = app.add_subcommand("providers", "List environment providers and their options.");
  providers->add_option("name", provider_name, "Show only this provider");

  EnvArgs env_args;
  CLI::App* env = app.add_subcommand("env", "Local environments: plan, up, status, down, gc.");
  env->require_subcommand(1);
  CLI::App* env_plan = env->add_subcommand("plan", "Show what each system's environment would create.");
  CLI::App* env_up =
      env->add_subcommand("up", "Bring environments up and leave them running; prints ids and endpoints.");
  for (CLI::App* c : {env_plan, env_up}) {
    c->add_option("file", env_args.file, "Experiment file (YAML)")->required()->check(CLI::ExistingFile);
    c->add_option("--system", env_args.system, "Only this system");
  }
  env_up->add_flag("--foreground", env_args.foreground, "Stay in the foreground; Ctrl-C/SIGTERM tears down");
  CLI::App* env_status =
      env->add_subcommand("status", "List recorded environments (state files) and what runs.");
  CLI::App* env_down = env->add_subcommand("down", "Tear down an environment by id, or all of them.");
  env_down->add_option("id", env_args.id, "Environment id (`bakeoff env status`)");
  env_down->add_flag("--all", env_args.all, "Every recorded environment");
  CLI::App* env_gc =
      env->add_subcommand("gc", "Remove environments whose bakeoff process is gone; report drift.");

  ResultsCommands results_commands(app);  // compare, report, results list|show|fetch
  ServeCommands serve_commands(app);      // serve, submit, queue, cancel

  // CLI11 would say only "A subcommand is required" for a mistyped command: name it.
  if (argc > 1 && argv[1][0] != '-') {
    const std::vector<CLI::App*> known =
        app.get_subcommands([&](CLI::App* sub) { return sub->check_name(argv[1]); });
    if (known.empty()) {
      std::cerr << "bakeoff: unknown command `" << argv[1] << "`; `bakeoff --help` lists the commands\n";
      return kExitBadExperiment;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadExperiment;
  }

  try {
    if (*run) {
      if (run_args.file.empty() == run_args.omb.workload.empty()) {
        std::cerr
            << "bakeoff run: give an experiment file, or --omb WORKLOAD.yaml with --omb-driver DRIVER.yaml\n";
        return kExitBadExperiment;
      }
      if (run_args.omb.workload.empty()) {
        for (const char* flag : {"--omb-driver", "--environment", "--duration-scale", "--rate-scale"}) {
          if (run->count(flag) == 0) continue;
          std::cerr << "bakeoff run: " << flag << " applies only with --omb (an experiment file says its own "
                    << "environment and durations)\n";
          return kExitBadExperiment;
        }
      }
      if (!run_args.omb.workload.empty() && run_args.omb.driver.empty()) {
        std::cerr << "bakeoff run: --omb needs --omb-driver DRIVER.yaml (the OMB driver file)\n";
        return kExitBadExperiment;
      }
      return RunCommand(run_args);
    }
    if (*import_omb) return ImportOmbCommand(import_args, import_output);
    if (std::optional<int> code = results_commands.Run()) return *code;
    if (std::optional<int> code = serve_commands.Run()) return *code;
    if (*validate) return ValidateCommand(validate_files);
    if (*drivers) return DriversCommand(driver_name);
    if (*providers) return ProvidersCommand(provider_name);
    if (*env_plan) return EnvPlanCommand(env_args);
    if (*env_up) return EnvUpCommand(env_args);
    if (*env_status) return EnvStatusCommand();
    if (*env_down) return EnvDownCommand(env_args);
    if (*env_gc) return EnvGcCommand();
  } catch (const std::exception& e) {
    std::cerr << "bakeoff: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitBadExperiment;
}
