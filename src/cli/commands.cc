#include "cli/commands.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "drivers/registry.h"
#include "env/provider.h"
#include "results/exports.h"
#include "results/index_store.h"
#include "results/output_check.h"
#include "results/result_json.h"
#include "results/statistics.h"
#include "results/summary_table.h"
#include "results/thresholds.h"
#include "run/experiment_runner.h"
#include "run/publish.h"
#include "run/registry_schemas.h"
#include "spec/omb/omb_import.h"
#include "spec/suggest.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

// The context of the running experiment, for the signal handler (RequestStop is async-signal-safe).
std::atomic<RunContext*> g_running{nullptr};
std::atomic<bool> g_signalled{false};

extern "C" void OnStopSignal(int) {
  if (RunContext* context = g_running.load()) context->RequestStop(StopReason::kInterrupted);
  if (g_signalled.exchange(true)) return;
  static const char kMessage[] = "\nbakeoff: stopping: draining, writing partial results, tearing down...\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
}

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool PrintDiagnostics(const ParseOutcome& outcome) {
  for (const Diagnostic& d : outcome.diagnostics) std::cerr << d.ToString() << "\n";
  if (!outcome.ok()) {
    std::cerr << outcome.diagnostics.size() << " problem" << (outcome.diagnostics.size() == 1 ? "" : "s")
              << " found; nothing was run.\n";
  }
  return outcome.ok();
}

void PrintProgress(const ProgressLine& p) {
  std::fprintf(stderr, "[%s] %5.1f/%.1f s%s  sent %s/s  recv %s/s  e2e p99 %s  errors %llu\n",
               p.system.c_str(), p.elapsed_s, p.total_s,
               p.warmup  ? " (warm-up)"
               : p.drain ? " (drain)"
                         : "",
               FormatCount(p.sent_per_s).c_str(), FormatCount(p.received_per_s).c_str(),
               p.e2e_p99_ns > 0 ? FormatDurationNs(static_cast<double>(p.e2e_p99_ns)).c_str() : "-",
               static_cast<unsigned long long>(p.errors));
}

void PrintSchema(const OptionSchema& schema) {
  for (const OptionSpec& o : schema.options) {
    std::string line = "    " + o.name + " (" + OptionTypeName(o.type);
    if (!o.choices.empty()) {
      line += ": ";
      for (size_t i = 0; i < o.choices.size(); ++i) line += (i ? "|" : "") + o.choices[i];
    }
    line += ")";
    if (o.default_value) {
      line += " default " + FormatOptionValue(o, *o.default_value);
    } else if (!o.optional) {
      line += " required";
    }
    if (o.secret) line += " secret: give ${env:NAME} or ${file:PATH}";
    std::cout << line << "\n        " << o.help << "\n";
  }
  if (schema.options.empty()) std::cout << "    (no options)\n";
}

// Where a run's directory goes without --output: --results-dir, else $BAKEOFF_RESULTS_DIR unless the
// file names its own `output.dir`, else the file's `output.dir` (default ./results).
std::string DefaultResultsParent(const Experiment& experiment, const RunArgs& args) {
  if (!args.results_dir.empty()) return args.results_dir;
  const OutputSpec defaults;
  if (experiment.output.dir == defaults.dir) return ResolveResultsDir("", experiment.output.dir);
  return experiment.output.dir;
}

OmbImportOptions ImportOptions(const OmbArgs& args, const std::string& output) {
  OmbImportOptions options;
  options.workload_path = args.workload;
  options.driver_path = args.driver;
  options.environment = args.environment;
  options.duration_scale = args.duration_scale;
  options.rate_scale = args.rate_scale;
  options.output_path = output;
  return options;
}

// The experiment of `bakeoff run`: a file, or OMB files imported in memory and parsed as a file is.
ParseOutcome LoadRunExperiment(const RunArgs& args, const std::vector<ExperimentOverride>& overrides) {
  if (args.omb.workload.empty()) return LoadExperiment(args.file, overrides);
  OmbImport imported = ImportOmb(ImportOptions(args.omb, ""));
  if (!imported.ok()) return ParseOutcome{{}, std::move(imported.diagnostics)};
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(imported.yaml, args.omb.workload + " (imported)", schemas, overrides);
  if (!parsed.ok())
    std::cerr << "bakeoff: the experiment imported from the OMB files is not valid; `bakeoff import omb` "
                 "with the same flags and -o FILE writes it to look at\n";
  return parsed;
}

}  // namespace

int ImportOmbCommand(const OmbArgs& args, const std::string& output) {
  OmbImport imported = ImportOmb(ImportOptions(args, output));
  if (!PrintDiagnostics(ParseOutcome{{}, imported.diagnostics})) return kExitBadExperiment;
  if (output.empty()) {
    std::cout << imported.yaml;
  } else if (Status st = WriteFileAtomically(output, imported.yaml); !st.ok()) {
    std::cerr << "bakeoff: " << st.message() << "\n";
    return kExitBadExperiment;
  }
  RegistrySchemas schemas;
  ParseOutcome parsed =
      ParseExperiment(imported.yaml, output.empty() ? args.workload + " (imported)" : output, schemas);
  if (!PrintDiagnostics(parsed)) return kExitBadExperiment;
  if (!output.empty())
    std::cerr << "bakeoff: wrote " << output << "; run it with `bakeoff run " << output << "`\n";
  return kExitOk;
}

int RunCommand(const RunArgs& args) {
  std::vector<ExperimentOverride> overrides;
  for (const std::string& set : args.sets) {
    const size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "bakeoff: --set " << set << ": write PATH=VALUE, e.g. --set workload.duration=5s\n";
      return kExitBadExperiment;
    }
    overrides.push_back({set.substr(0, eq), set.substr(eq + 1)});
  }
  ParseOutcome parsed = LoadRunExperiment(args, overrides);
  if (!PrintDiagnostics(parsed)) return kExitBadExperiment;
  if (Status st = KeepSystems(parsed.experiment, args.systems); !st.ok()) {
    std::cerr << "bakeoff: " << st.message() << "\n";
    return kExitBadExperiment;
  }
  const Experiment& experiment = parsed.experiment;
  if (!args.output_dir.empty() && !args.force &&
      std::filesystem::exists(std::filesystem::path(args.output_dir) / "result.json")) {
    std::cerr << "bakeoff: " << args.output_dir
              << "/result.json exists: give another --output, or --force to replace it (nothing was run)\n";
    return kExitBadExperiment;
  }

  RunContext context;
  context.on_log = [](const std::string& line) { std::cerr << "bakeoff: " << line << "\n"; };
  if (!args.quiet) context.on_progress = PrintProgress;
  g_running.store(&context);
  InstallStopHandlers();

  // s3://bucket/prefix: written locally (in the results directory) first, uploaded afterwards.
  PublishOptions publish;
  publish.results_dir = args.results_dir;
  publish.s3_target = S3TargetOf(experiment, args.output_dir);
  ExperimentRunOptions options;
  options.output_dir =
      !publish.s3_target.empty() ? DefaultOutputDir(ResolveResultsDir(args.results_dir), experiment.name)
      : args.output_dir.empty()  ? DefaultOutputDir(DefaultResultsParent(experiment, args), experiment.name)
                                 : args.output_dir;
  if (Status st = CheckOutputDir(options.output_dir); !st.ok()) {
    g_running.store(nullptr);
    std::cerr << "bakeoff: " << st.message() << " (nothing was provisioned)\n";
    return kExitBadExperiment;
  }
  options.bakeoff_version = BAKEOFF_VERSION;
  options.keep_environments = args.keep_environments;

  std::cerr << "bakeoff: experiment " << experiment.name << ": " << experiment.systems.size()
            << " system(s), results in " << options.output_dir << "\n";
  ExperimentOutcome outcome = RunExperiment(experiment, options, context);
  std::cout << "\n" << RenderSummaryTable(outcome.result);
  if (!outcome.write_status.ok()) {
    g_running.store(nullptr);
    std::cerr << "bakeoff: could not write results: " << outcome.write_status.ToString() << "\n";
    return kExitRunFailed;
  }
  if (experiment.repeat > 1 || !experiment.matrix.empty()) {
    std::cout << RenderRepeatSummary(SummarizeRuns(ResultToJson(outcome.result)["runs"]));
  }
  std::cout << RenderThresholdReport(outcome.result);
  std::cout << "results: " << options.output_dir
            << "/result.json (report.html, results.csv, omb-result.json, hlog/)\n";
  const PublishOutcome published = PublishResult(experiment, options.output_dir, publish);
  g_running.store(nullptr);
  for (const std::string& w : published.index_warnings) std::cerr << "bakeoff: warning: " << w << "\n";
  if (!published.indexed.ok())
    std::cerr << "bakeoff: results not indexed: " << published.indexed.message() << "\n";
  if (!published.uploaded_prefix.empty()) {
    std::cout << "uploaded: " << published.uploaded_prefix
              << "/ (result.json, report.html, results.csv, hlog/)\n";
  }
  if (!published.uploaded.ok()) {
    std::cerr << "bakeoff: upload failed: " << published.uploaded.message() << "\n";
    return kExitRunFailed;
  }
  return ExitCodeFor(outcome);
}

int ValidateCommand(const std::vector<std::string>& files) {
  bool all_ok = true;
  for (const std::string& file : files) {
    ParseOutcome parsed = LoadExperiment(file);
    if (PrintDiagnostics(parsed)) {
      const Experiment& e = parsed.experiment;
      // What `run` will do: every (matrix point, repeat, system), each at least warm-up + duration.
      size_t runs = 0;
      int64_t load_ns = 0;
      const int repeat = std::max(1, e.repeat);
      if (e.points.empty()) {
        runs = e.systems.size() * repeat;
        load_ns = static_cast<int64_t>(runs) * e.workload.MaxLoadNs();
      }
      // A search or a backlog ends when it ends: their figure is an upper bound.
      bool bounded = e.workload.rate.find_max.has_value() || e.workload.backlog.has_value();
      for (const MatrixPoint& point : e.points) {
        const size_t n = point.systems.size() * repeat;
        runs += n;
        load_ns += static_cast<int64_t>(n) * point.workload.MaxLoadNs();
        bounded = bounded || point.workload.rate.find_max.has_value() || point.workload.backlog.has_value();
      }
      std::cout << file << ": ok (" << e.systems.size()
                << (e.systems.size() == 1 ? " system, " : " systems, ") << runs
                << (runs == 1 ? " run" : " runs") << (bounded ? ", at most " : ", about ")
                << FormatDurationNs(static_cast<double>(load_ns))
                << " of load; provisioning and drain come on top)\n";
      if (e.workload.rate.find_max) {
        const FindMaxSpec& f = *e.workload.rate.find_max;
        std::cout << "  find_max: at most " << f.max_steps << " steps of "
                  << FormatDurationNs(f.step_duration_ns) << ", each followed by up to "
                  << FormatDurationNs(f.settle_timeout_ns()) << " for consumers to catch up\n";
      }
    } else {
      all_ok = false;
    }
  }
  return all_ok ? kExitOk : kExitBadExperiment;
}

int DriversCommand(const std::string& only) {
  bool found = false;
  for (Driver* d : AllDrivers()) {
    if (!only.empty() && d->name() != only) continue;
    found = true;
    std::cout << d->name() << ": " << d->description() << "\n  options:\n";
    PrintSchema(d->schema());
  }
  if (!found) {
    std::vector<std::string> names;
    for (Driver* d : AllDrivers()) names.push_back(d->name());
    std::cerr << "bakeoff: no driver named `" << only << "`" << DidYouMeanSuffix(only, names)
              << "; `bakeoff drivers` lists them\n";
    return kExitBadExperiment;
  }
  return kExitOk;
}

int ProvidersCommand(const std::string& only) {
  bool found = false;
  for (Provider* p : AllProviders()) {
    if (!only.empty() && p->name() != only) continue;
    found = true;
    std::cout << p->name() << ": " << p->description() << "\n  options:\n";
    PrintSchema(p->schema());
  }
  if (!found) {
    std::vector<std::string> names;
    for (Provider* p : AllProviders()) names.push_back(p->name());
    std::cerr << "bakeoff: no provider named `" << only << "`" << DidYouMeanSuffix(only, names)
              << "; `bakeoff providers` lists them\n";
    return kExitBadExperiment;
  }
  return kExitOk;
}

}  // namespace bakeoff
