#include "run/experiment_runner.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "drivers/registry.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "results/exports.h"
#include "results/result_json.h"
#include "results/thresholds.h"
#include "run/resource_sampler.h"

namespace bakeoff {
namespace {

constexpr std::chrono::seconds kApplyTimeout{120};

// Destroys the environment when the run's scope ends, whatever the exit path.
class EnvironmentGuard {
 public:
  explicit EnvironmentGuard(std::unique_ptr<Environment> env) : env_(std::move(env)) {}
  ~EnvironmentGuard() { (void)Destroy(); }
  EnvironmentGuard(const EnvironmentGuard&) = delete;
  EnvironmentGuard& operator=(const EnvironmentGuard&) = delete;
  Environment& operator*() { return *env_; }
  Environment* operator->() { return env_.get(); }
  Status Destroy() {
    if (!env_ || destroyed_) return Status::Ok();
    destroyed_ = true;
    return env_->Destroy();
  }

 private:
  std::unique_ptr<Environment> env_;
  bool destroyed_ = false;
};

std::string RunId(const std::string& experiment, const std::string& system) {
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "%llx", static_cast<unsigned long long>(WallNowNs() / 1000));
  std::string id = experiment + "-" + system + "-" + suffix;
  for (char& c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) c = '-';
  }
  return id;
}

std::string BaseDir(const std::string& source_file) {
  if (source_file.empty()) return ".";
  return std::filesystem::path(source_file).parent_path().string();
}

void Log(const ExperimentRunOptions& options, const std::string& line) {
  if (options.on_log) options.on_log(line);
}

// Runs one system; fills `run` and returns whether it completed without a run-level failure.
void RunSystem(const Experiment& experiment, const SystemSpec& system, const ExperimentRunOptions& options,
               RunRecord& run) {
  run.system = system.name;
  run.driver = system.driver;
  run.provider = system.environment.provider;
  run.started_unix_ns = WallNowNs();
  auto fail = [&run](const std::string& phase, const Status& status) {
    run.status = "failed";
    run.error = phase + ": " + status.ToString();
  };

  Driver* driver = FindDriver(system.driver);
  Provider* provider = FindProvider(system.environment.provider);
  if (driver == nullptr || provider == nullptr) {
    fail("setup", NotFound("driver or provider not compiled in"));
    return;
  }
  Result<std::unique_ptr<Environment>> created = provider->Create(system);
  if (!created.ok()) {
    fail("environment", created.status());
    return;
  }
  EnvironmentGuard env(std::move(created).value());
  env->SetCancelFlag(options.interrupted);
  Log(options, system.name + ": provisioning (" + provider->name() + ")");
  if (Status st = env->Apply(kApplyTimeout); !st.ok()) {
    fail("environment", st);
    return;
  }
  run.environment_facts = env->Facts();
  if (options.keep_environments) {
    const std::string kept = env->Detach();
    Log(options, system.name + (kept.empty() ? ": --keep: this environment cannot outlive bakeoff; it is torn down"
                                             : ": --keep: environment " + kept + " stays up (`bakeoff env down " +
                                                   kept + "` removes it)"));
  }

  SessionContext context;
  context.system = &system;
  context.workload = &experiment.workload;
  context.endpoints = env->endpoints();
  context.run_id = RunId(experiment.name, system.name);
  Result<std::unique_ptr<Session>> connected = driver->Connect(context);
  if (!connected.ok()) {
    fail("connect", connected.status());
    return;
  }
  std::unique_ptr<Session> session = std::move(connected).value();

  TopicLayout layout;
  layout.partitions = experiment.workload.partitions;
  for (int t = 0; t < experiment.workload.topics; ++t) {
    layout.topics.push_back("bakeoff-" + context.run_id + "-" + std::to_string(t));
  }
  layout.replication_factor = static_cast<int>(system.options.GetInt("replication_factor", 1));
  if (Status st = env->PrepareTopics(layout); !st.ok()) {
    fail("create topics", st);
    return;
  }
  if (Status st = session->CreateTopics(layout); !st.ok()) {
    fail("create topics", st);
    return;
  }

  Log(options, system.name + ": running");
  RunnerOptions runner;
  runner.system_name = system.name;
  runner.base_dir = BaseDir(experiment.source_file);
  runner.streams = experiment.workload.streams();
  runner.interrupted = options.interrupted;
  runner.on_progress = options.on_progress;
  ResourceSampler resources(env->Processes());
  Result<RunMetrics> metrics = RunWorkload(*session, experiment.workload, runner);
  run.resources = resources.Stop();
  run.driver_facts = session->Facts();
  if (metrics.ok()) {
    run.metrics = std::move(metrics).value();
    run.has_metrics = true;
  } else {
    fail("run", metrics.status());
  }
  if (Status st = session->DeleteTopics(); !st.ok()) Log(options, system.name + ": delete topics: " + st.ToString());
  session.reset();
  Log(options, system.name + ": tearing down");
  if (Status st = env.Destroy(); !st.ok()) {
    if (run.status == "ok") fail("teardown", st);
  }
  run.finished_unix_ns = WallNowNs();
}

}  // namespace

std::string DefaultOutputDir(const std::string& base, const std::string& experiment_name) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  // Two runs started in the same second get different directories: the first free name, taken with
  // mkdir (atomic: EEXIST means another run has it).
  const std::string first =
      (std::filesystem::path(base) / (std::string(stamp) + "-" + experiment_name)).string();
  std::error_code ec;
  std::filesystem::create_directories(base, ec);
  for (int n = 1; n <= 1000; ++n) {
    const std::string candidate = n == 1 ? first : first + "-" + std::to_string(n);
    if (mkdir(candidate.c_str(), 0755) == 0 || errno != EEXIST) return candidate;
  }
  return first;
}

ExperimentOutcome RunExperiment(const Experiment& experiment, const ExperimentRunOptions& options) {
  ExperimentOutcome outcome;
  ExperimentResult& result = outcome.result;
  result.bakeoff_version = options.bakeoff_version;
  result.experiment = experiment;
  result.host = CollectHostFacts();
  result.started_unix_ns = WallNowNs();
  result.partial = true;  // until every system ran

  // Without a parsed matrix (an Experiment built in code), the experiment itself is the one point.
  std::vector<MatrixPoint> points = experiment.points;
  if (points.empty()) points.push_back(MatrixPoint{{}, experiment.systems, experiment.workload});
  const int repeat = std::max(1, experiment.repeat);
  size_t planned_runs = 0;
  for (const MatrixPoint& point : points) planned_runs += point.systems.size() * static_cast<size_t>(repeat);
  bool stop = false;
  for (size_t p = 0; p < points.size() && !stop; ++p) {
    Experiment at_point = experiment;
    at_point.systems = points[p].systems;
    at_point.workload = points[p].workload;
    for (int r = 0; r < repeat && !stop; ++r) {
      for (const SystemSpec& system : at_point.systems) {
        if (options.interrupted && options.interrupted->load()) {
          stop = true;
          break;
        }
        RunRecord run;
        run.matrix_point = points[p].values;
        run.point_index = static_cast<int>(p);
        run.repeat_index = r;
        RunSystem(at_point, system, options, run);
        if (run.status != "ok") outcome.any_run_failed = true;
        if (run.has_metrics) {
          run.thresholds = EvaluateThresholds(experiment.thresholds, run.system, run.metrics);
          for (const ThresholdOutcome& t : run.thresholds) {
            if (!t.passed) outcome.any_threshold_failed = true;
            Log(options, RunLabel(run, repeat > 1) + ": threshold " + ThresholdLine(t));
          }
        }
        result.runs.push_back(std::move(run));
        if (!options.output_dir.empty()) outcome.write_status = WriteResultArtifacts(result, options.output_dir);
      }
    }
  }
  outcome.interrupted = options.interrupted && options.interrupted->load();
  result.partial = outcome.interrupted || result.runs.size() < planned_runs;
  for (const RunRecord& run : result.runs) {
    if (run.has_metrics && run.metrics.partial) result.partial = true;
  }
  result.finished_unix_ns = WallNowNs();
  if (!options.output_dir.empty()) outcome.write_status = WriteResultArtifacts(result, options.output_dir);
  return outcome;
}

}  // namespace bakeoff
