#include "run/experiment_runner.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "base/client_log.h"
#include "drivers/registry.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "results/artifacts.h"
#include "results/exports.h"
#include "results/result_json.h"
#include "results/thresholds.h"
#include "run/exit_codes.h"
#include "run/resource_sampler.h"

namespace bakeoff {
namespace {

// This process's CPU time (every thread: load generator, client libraries) and a monotonic clock.
struct ProcessCpu {
  double cpu_seconds = 0;
  int64_t wall_ns = 0;
};
ProcessCpu ReadProcessCpu() {
  ProcessCpu p;
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    p.cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                    usage.ru_stime.tv_usec / 1e6;
  }
  p.wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now().time_since_epoch())
                  .count();
  return p;
}

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

// Runs the deadline of a context: when it passes, the context is asked to stop. Ends with its scope.
class DeadlineWatch {
 public:
  explicit DeadlineWatch(RunContext& context) : context_(context) {
    if (!context.has_deadline()) return;
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_until(lock, context_.deadline(), [this] { return done_; })) {
        context_.RequestStop(StopReason::kDeadline);
      }
    });
  }
  ~DeadlineWatch() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

 private:
  RunContext& context_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Where the experiment is: which run of how many, for phase events.
struct RunPosition {
  int index = 0;  // 1-based
  int total = 0;
};

// Hands what the client libraries logged from their own threads (base/client_log.h) to the run's log,
// on this thread, as the run context's callbacks require.
void LogClientLines(const RunContext& context, const std::string& system) {
  for (const std::string& line : TakeClientLog()) context.Log(system + ": " + line);
}

void EnterPhase(RunContext& context, const SystemSpec& system, RunPosition position, RunPhase phase) {
  LogClientLines(context, system.name);
  if (context.on_phase) context.on_phase(PhaseEvent{system.name, position.index, position.total, phase});
}

RunStatus StatusOfStop(StopReason reason) {
  return reason == StopReason::kCancelled ? RunStatus::kCancelled : RunStatus::kInterrupted;
}

// Runs one system; fills `run`.
void RunSystem(const Experiment& experiment, const SystemSpec& system, const ExperimentRunOptions& options,
               RunContext& context, RunPosition position, RunRecord& run) {
  // Declared first, so it runs last on every return: after the environment's teardown, too.
  struct LogClientLinesAtEnd {
    const RunContext& context;
    const std::string& system;
    ~LogClientLinesAtEnd() { LogClientLines(context, system); }
  } log_client_lines_at_end{context, system.name};
  run.system = system.name;
  run.driver = system.driver;
  run.provider = system.environment.provider;
  run.started_unix_ns = context.WallNowNs();
  auto fail = [&run, &context](const std::string& phase, const Status& status) {
    // A failure caused by a stop request (a cancelled health wait, say) is the stop, not a fault.
    run.status = context.stop_requested() && status.code() == StatusCode::kCancelled
                     ? StatusOfStop(context.stop_reason())
                     : RunStatus::kFailed;
    run.error = RunError{phase, status.code(), status.message()};
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
  env->SetCancelFlag(context.stop_flag());
  EnterPhase(context, system, position, RunPhase::kProvisioning);
  context.Log(system.name + ": provisioning (" + provider->name() + ")");
  const auto apply_start = std::chrono::steady_clock::now();
  if (Status st = env->Apply(kApplyTimeout); !st.ok()) {
    fail("environment", st);
    return;
  }
  run.environment_facts = env->Facts();
  {
    char up[64];
    std::snprintf(up, sizeof(up), ": environment healthy in %.1f s",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - apply_start).count());
    context.Log(system.name + up);
  }
  if (options.keep_environments) {
    const std::string kept = env->Detach();
    context.Log(system.name + (kept.empty()
                                   ? ": --keep: this environment cannot outlive bakeoff; it is torn down"
                                   : ": --keep: environment " + kept + " stays up (`bakeoff env down " +
                                         kept + "` removes it)"));
  }

  EnterPhase(context, system, position, RunPhase::kConnecting);
  SessionContext session_context;
  session_context.system = &system;
  session_context.workload = &experiment.workload;
  session_context.endpoints = env->endpoints();
  session_context.run_id = RunId(experiment.name, system.name);
  Result<std::unique_ptr<Session>> connected = driver->Connect(session_context);
  if (!connected.ok()) {
    fail("connect", connected.status());
    return;
  }
  std::unique_ptr<Session> session = std::move(connected).value();

  EnterPhase(context, system, position, RunPhase::kCreatingTopics);
  TopicLayout layout;
  layout.partitions = experiment.workload.partitions;
  for (int t = 0; t < experiment.workload.topics; ++t) {
    layout.topics.push_back("bakeoff-" + session_context.run_id + "-" + std::to_string(t));
  }
  layout.replication_factor = static_cast<int>(system.options.GetInt("replication_factor", 1));
  const auto topics_start = std::chrono::steady_clock::now();
  if (Status st = env->PrepareTopics(layout); !st.ok()) {
    fail("create topics", st);
    return;
  }
  if (Status st = session->CreateTopics(layout); !st.ok()) {
    fail("create topics", st);
    return;
  }
  {
    char created[96];
    std::snprintf(created, sizeof(created), ": %zu topics ready in %.2f s", layout.topics.size(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - topics_start).count());
    context.Log(system.name + created);
  }

  EnterPhase(context, system, position, RunPhase::kRunning);
  context.Log(system.name + ": running");
  RunnerOptions runner;
  runner.system_name = system.name;
  runner.base_dir = BaseDir(experiment.source_file);
  runner.streams = experiment.workload.streams();
  runner.interrupted = context.stop_flag();
  runner.on_progress = [&context, &system](const ProgressLine& line) {
    LogClientLines(context, system.name);
    if (context.on_progress) context.on_progress(line);
  };
  ResourceSampler resources(env->Processes());
  const ProcessCpu cpu_before = ReadProcessCpu();
  Result<RunMetrics> metrics = RunWorkload(*session, experiment.workload, runner);
  const ProcessCpu cpu_after = ReadProcessCpu();
  run.resources = resources.Stop();
  run.load_wall_s = (cpu_after.wall_ns - cpu_before.wall_ns) / 1e9;
  run.client_cpu_seconds = cpu_after.cpu_seconds - cpu_before.cpu_seconds;
  run.driver_facts = session->Facts();
  const Capabilities promised = driver->capabilities(system.options);
  run.promises = RunRecord::Promises{.ordered_per_stream = promised.ordered_per_stream,
                                     .confirms_publish = promised.confirms_publish,
                                     .durable = promised.durable};
  if (metrics.ok()) {
    run.metrics = std::move(metrics).value();
    run.has_metrics = true;
    if (run.metrics.end == RunEnd::kInterrupted) {
      run.status = StatusOfStop(context.stop_reason());
    } else {
      std::string why;
      run.status = MeasuredVerdict(experiment.workload, run.metrics, &why);
      if (run.status != RunStatus::kOk) {
        run.error = RunError{"verdict", StatusCode::kOk, why};
        context.Log(system.name + ": " + RunStatusName(run.status) + ": " + why);
      }
    }
  } else {
    fail("run", metrics.status());
  }
  EnterPhase(context, system, position, RunPhase::kTearingDown);
  if (Status st = session->DeleteTopics(); !st.ok())
    context.Log(system.name + ": delete topics: " + st.ToString());
  session.reset();
  context.Log(system.name + ": tearing down");
  if (Status st = env.Destroy(); !st.ok()) {
    if (run.status == RunStatus::kOk) fail("teardown", st);
  }
  run.finished_unix_ns = context.WallNowNs();
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
  std::string first = (std::filesystem::path(base) / (std::string(stamp) + "-" + experiment_name)).string();
  std::error_code ec;
  std::filesystem::create_directories(base, ec);
  for (int n = 1; n <= 1000; ++n) {
    std::string candidate = n == 1 ? first : first + "-" + std::to_string(n);
    if (mkdir(candidate.c_str(), 0755) == 0 || errno != EEXIST) return candidate;
  }
  return first;
}

const char* ExperimentStatusName(ExperimentStatus status) {
  switch (status) {
    case ExperimentStatus::kSucceeded:
      return "succeeded";
    case ExperimentStatus::kThresholdFailed:
      return "threshold_failed";
    case ExperimentStatus::kRunFailed:
      return "failed";
    case ExperimentStatus::kNotSustained:
      return "not_sustained";
    case ExperimentStatus::kInterrupted:
      return "interrupted";
    case ExperimentStatus::kCancelled:
      return "cancelled";
  }
  return "failed";
}

int ExitCodeFor(const ExperimentOutcome& outcome) {
  switch (outcome.status) {
    case ExperimentStatus::kSucceeded:
      return kExitOk;
    case ExperimentStatus::kThresholdFailed:
      return kExitThresholdFailed;
    case ExperimentStatus::kRunFailed:
      return kExitRunFailed;
    case ExperimentStatus::kNotSustained:
      return kExitNotSustained;
    case ExperimentStatus::kInterrupted:
    case ExperimentStatus::kCancelled:
      return kExitInterrupted;
  }
  return kExitInternal;
}

ExperimentOutcome RunExperiment(const Experiment& experiment, const ExperimentRunOptions& options,
                                RunContext& context) {
  DeadlineWatch deadline(context);
  ExperimentOutcome outcome;
  ExperimentResult& result = outcome.result;
  result.bakeoff_version = options.bakeoff_version;
  result.experiment = experiment;
  result.host = CollectHostFacts();
  result.started_unix_ns = context.WallNowNs();
  result.partial = true;  // until every system ran

  // Without a parsed matrix (an Experiment built in code), the experiment itself is the one point.
  std::vector<MatrixPoint> points = experiment.points;
  if (points.empty()) points.push_back(MatrixPoint{{}, experiment.systems, experiment.workload});
  const int repeat = std::max(1, experiment.repeat);
  size_t planned_runs = 0;
  for (const MatrixPoint& point : points) planned_runs += point.systems.size() * static_cast<size_t>(repeat);
  bool stop = false;
  RunPosition position{0, static_cast<int>(planned_runs)};
  for (size_t p = 0; p < points.size() && !stop; ++p) {
    Experiment at_point = experiment;
    at_point.systems = points[p].systems;
    at_point.workload = points[p].workload;
    for (int r = 0; r < repeat && !stop; ++r) {
      for (const SystemSpec& system : at_point.systems) {
        if (context.stop_requested()) {
          stop = true;
          break;
        }
        ++position.index;
        RunRecord run;
        run.matrix_point = points[p].values;
        run.point_index = static_cast<int>(p);
        run.repeat_index = r;
        RunSystem(at_point, system, options, context, position, run);
        if (run.status == RunStatus::kFailed) outcome.any_run_failed = true;
        if (run.status == RunStatus::kNotSustained || run.status == RunStatus::kNoData)
          outcome.any_not_sustained = true;
        if (run.has_metrics) {
          run.thresholds = EvaluateThresholds(experiment.thresholds, run.system, run.metrics);
          for (const ThresholdOutcome& t : run.thresholds) {
            if (!t.passed) outcome.any_threshold_failed = true;
            context.Log(RunLabel(run, repeat > 1) + ": threshold " + ThresholdLine(t));
          }
        }
        result.runs.push_back(std::move(run));
        if (!options.output_dir.empty())
          outcome.write_status = WriteResultArtifacts(result, options.output_dir);
      }
    }
  }
  outcome.stop_reason = context.stop_requested() ? context.stop_reason() : StopReason::kNone;
  result.partial = outcome.stop_reason != StopReason::kNone || result.runs.size() < planned_runs;
  for (const RunRecord& run : result.runs) {
    if (run.has_metrics && run.metrics.partial) result.partial = true;
  }
  result.finished_unix_ns = context.WallNowNs();
  if (!options.output_dir.empty()) outcome.write_status = WriteResultArtifacts(result, options.output_dir);
  if (outcome.stop_reason == StopReason::kCancelled) {
    outcome.status = ExperimentStatus::kCancelled;
  } else if (outcome.stop_reason != StopReason::kNone) {
    outcome.status = ExperimentStatus::kInterrupted;
  } else if (outcome.any_run_failed || !outcome.write_status.ok()) {
    outcome.status = ExperimentStatus::kRunFailed;
  } else if (outcome.any_not_sustained) {
    outcome.status = ExperimentStatus::kNotSustained;
  } else if (outcome.any_threshold_failed) {
    outcome.status = ExperimentStatus::kThresholdFailed;
  }
  return outcome;
}

}  // namespace bakeoff
