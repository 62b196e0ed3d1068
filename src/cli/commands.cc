#include "cli/commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "drivers/registry.h"
#include "env/provider.h"
#include "results/index_store.h"
#include "results/output_check.h"
#include "results/result_json.h"
#include "results/s3_store.h"
#include "results/statistics.h"
#include "results/summary_table.h"
#include "results/thresholds.h"
#include "run/experiment_runner.h"
#include "run/registry_schemas.h"
#include "spec/units.h"

namespace bakeoff {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnStopSignal(int) {
  if (g_interrupted.exchange(true)) return;
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
  std::fprintf(stderr, "[%s] %5.1f/%.1f s%s  sent %s/s  recv %s/s  e2e p99 %s  errors %llu\n", p.system.c_str(),
               p.elapsed_s, p.total_s, p.warmup ? " (warm-up)" : "", FormatCount(p.sent_per_s).c_str(),
               FormatCount(p.received_per_s).c_str(),
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

// Records the result directory in the store's index.sqlite; a failure is reported, not fatal.
void IndexRun(const std::string& output_dir, const std::string& results_dir_flag) {
  const std::filesystem::path parent = std::filesystem::absolute(output_dir).lexically_normal().parent_path();
  std::vector<std::string> warnings;
  Result<ResultIndex> index =
      ResultIndex::Open(ResolveResultsDir(results_dir_flag, parent.string()), &warnings);
  for (const std::string& w : warnings) std::cerr << "bakeoff: warning: " << w << "\n";
  Status st = index.ok() ? index->Add(output_dir) : index.status();
  if (!st.ok()) std::cerr << "bakeoff: results not indexed: " << st.message() << "\n";
}

Status UploadRun(const std::string& local_dir, const std::string& url, const OutputSpec& output) {
  Result<S3Location> location = ParseS3Url(url);
  if (!location.ok()) return location.status();
  Result<std::unique_ptr<S3Store>> s3 = S3Store::Create({output.endpoint, output.region});
  if (!s3.ok()) return s3.status();
  Result<std::string> uploaded = UploadResultDir(**s3, *location, local_dir);
  if (!uploaded.ok()) return uploaded.status();
  std::cout << "uploaded: " << *uploaded << "/ (result.json, report.html, results.csv, hlog/)\n";
  return Status::Ok();
}

}  // namespace

int RunCommand(const RunArgs& args) {
  ParseOutcome parsed = LoadExperiment(args.file);
  if (!PrintDiagnostics(parsed)) return kExitBadExperiment;
  const Experiment& experiment = parsed.experiment;

  InstallStopHandlers();
  ExperimentRunOptions options;
  options.output_dir = args.output_dir.empty() ? DefaultOutputDir(experiment.output.dir, experiment.name)
                                               : args.output_dir;
  // s3://bucket/prefix: written locally (in the results directory) first, uploaded afterwards.
  const std::string s3_target = IsS3Url(args.output_dir) ? args.output_dir
                                : args.output_dir.empty() && IsS3Url(experiment.output.dir) ? experiment.output.dir
                                                                                            : "";
  if (!s3_target.empty()) {
    options.output_dir = DefaultOutputDir(ResolveResultsDir(args.results_dir), experiment.name);
  }
  if (Status st = CheckOutputDir(options.output_dir); !st.ok()) {
    std::cerr << "bakeoff: " << st.message() << " (nothing was provisioned)\n";
    return kExitBadExperiment;
  }
  options.bakeoff_version = BAKEOFF_VERSION;
  options.interrupted = &g_interrupted;
  options.keep_environments = args.keep_environments;
  options.on_log = [](const std::string& line) { std::cerr << "bakeoff: " << line << "\n"; };
  if (!args.quiet) options.on_progress = PrintProgress;

  std::cerr << "bakeoff: experiment " << experiment.name << ": " << experiment.systems.size()
            << " system(s), results in " << options.output_dir << "\n";
  ExperimentOutcome outcome = RunExperiment(experiment, options);
  std::cout << "\n" << RenderSummaryTable(outcome.result);
  if (!outcome.write_status.ok()) {
    std::cerr << "bakeoff: could not write results: " << outcome.write_status.ToString() << "\n";
    return kExitRunFailed;
  }
  if (experiment.repeat > 1 || !experiment.matrix.empty()) {
    std::cout << RenderRepeatSummary(SummarizeRuns(ResultToJson(outcome.result)["runs"]));
  }
  std::cout << RenderThresholdReport(outcome.result);
  std::cout << "results: " << options.output_dir << "/result.json (report.html, results.csv, hlog/)\n";
  IndexRun(options.output_dir, args.results_dir);
  if (!s3_target.empty()) {
    if (Status st = UploadRun(options.output_dir, s3_target, experiment.output); !st.ok()) {
      std::cerr << "bakeoff: upload failed: " << st.message() << "\n";
      return kExitRunFailed;
    }
  }
  if (outcome.interrupted) return kExitInterrupted;
  if (outcome.any_run_failed) return kExitRunFailed;
  if (outcome.any_threshold_failed) return kExitThresholdFailed;
  return kExitOk;
}

int ValidateCommand(const std::vector<std::string>& files) {
  bool all_ok = true;
  for (const std::string& file : files) {
    ParseOutcome parsed = LoadExperiment(file);
    if (PrintDiagnostics(parsed)) {
      std::cout << file << ": ok (" << parsed.experiment.systems.size() << " systems)\n";
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
    std::cerr << "bakeoff: no driver named `" << only << "`; `bakeoff drivers` lists them\n";
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
    std::cerr << "bakeoff: no provider named `" << only << "`; `bakeoff providers` lists them\n";
    return kExitBadExperiment;
  }
  return kExitOk;
}

}  // namespace bakeoff
