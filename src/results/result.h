// The result model: the measured facts of an experiment, serialized as versioned JSON (result.json).
// Changing a field's meaning bumps kResultSchemaVersion; adding fields does not.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "measure/run_metrics.h"
#include "spec/experiment.h"

namespace bakeoff {

inline constexpr int kResultSchemaVersion = 1;

// A threshold checked against one run.
struct ThresholdOutcome {
  ThresholdSpec threshold;
  double actual = 0;  // in the metric's unit (see spec/metric_catalog.h)
  bool passed = false;
  std::string message;  // "e2e_latency.corrected.p99 < 20 ms: 25.1 ms, 5.1 ms (26%) over"
};

// One second of a server process's resource use (from /proc).
struct ProcessSample {
  double t_s = 0;          // seconds since sampling started
  double cpu_percent = 0;  // of one core, over the last interval
  int64_t rss_bytes = 0;
  int64_t write_bytes = 0;  // bytes this process caused to be written to storage since sampling started
};

// What one server process cost during a run: summary plus per-second series.
struct ProcessUsage {
  std::string name;
  int pid = 0;
  bool vanished = false;   // the process ended while sampled
  double cpu_seconds = 0;  // user + system over the sampled span
  int64_t max_rss_bytes = 0;
  int64_t bytes_written = 0;  // over the sampled span
  std::vector<ProcessSample> series;
};

// The verdict of one run. Written to result.json as RunStatusName(); readers compare those strings.
enum class RunStatus : int {
  kOk,           // measured to the end
  kFailed,       // could not complete (see error); metrics may be partial
  kInterrupted,  // stopped by Ctrl-C, SIGTERM or a server shutdown; metrics are partial
  kCancelled,    // stopped on a user's request (cancel); metrics are partial
  // Measured to the end, but the figures do not describe the load the file asked for:
  kNotSustained,  // fixed rate: sent or received below (1 - kSustainTolerance) x the target rate
  kNoData,        // nothing was measured (e.g. the message cap was reached during the warm-up)
};
const char* RunStatusName(
    RunStatus status);  // "ok", "failed", "interrupted", "cancelled", "not_sustained", "no_data"

// How far below its target a fixed-rate run may send or receive and still count as sustained. Wider
// than the measuring error at a window's edges (messages in flight at its end), narrow enough that a
// saturated system never reads as "ok".
inline constexpr double kSustainTolerance = 0.10;

// The verdict of a run that completed with `metrics` under `workload`: kOk, kNotSustained or kNoData;
// `why` says why when it is not kOk ("received 31.8 k/s of the 50 k/s target (64%)").
RunStatus MeasuredVerdict(const WorkloadSpec& workload, const RunMetrics& metrics, std::string* why);

// Why a run failed: the phase it was in, the status code, and the message for a person.
struct RunError {
  std::string phase;  // "setup", "environment", "connect", "create topics", "run", "teardown"
  StatusCode code = StatusCode::kOk;
  std::string message;
  bool empty() const { return code == StatusCode::kOk && message.empty(); }
  std::string ToString() const;  // "connect: unavailable: ..."
};

struct RunRecord {
  std::string system;
  std::string driver;
  std::string provider;
  RunStatus status = RunStatus::kOk;
  RunError error;
  int64_t started_unix_ns = 0;
  int64_t finished_unix_ns = 0;
  std::map<std::string, std::string> environment_facts;  // from the provider (server versions, nodes)
  std::map<std::string, std::string> driver_facts;       // from the driver session (client versions)
  bool has_metrics = false;
  RunMetrics metrics;
  std::vector<std::pair<std::string, std::string>> matrix_point;  // path -> value text; empty without matrix
  int point_index = 0;                                            // index into experiment.points
  int repeat_index = 0;                                           // 0-based
  std::vector<ThresholdOutcome> thresholds;  // those that apply to this system, when metrics exist
  std::vector<ProcessUsage> resources;       // the system's server processes (local environments)
  // The load: its wall time (warm-up, measured window, drain) and the bakeoff process's CPU over it
  // (load generator and client libraries; with the embedded provider the in-process server too).
  double load_wall_s = 0;
  double client_cpu_seconds = 0;
  // What the driver, as configured, promises (Driver::capabilities): recorded so that a reader knows
  // whether out_of_order counts a broken promise or is information only.
  struct Promises {
    bool ordered_per_stream = true;
    bool confirms_publish = true;
    bool durable = false;
  };
  std::optional<Promises> promises;
};

struct HostFacts {
  std::string hostname;
  std::string cpu_model;
  int cpu_count = 0;
  std::string kernel;
  int64_t memory_bytes = 0;
};

struct ExperimentResult {
  std::string bakeoff_version;
  Experiment experiment;
  HostFacts host;
  int64_t started_unix_ns = 0;
  int64_t finished_unix_ns = 0;
  bool partial = false;  // interrupted: some runs missing or cut short
  std::vector<RunRecord> runs;
};

// Reads /proc and uname for the machine's facts.
HostFacts CollectHostFacts();

}  // namespace bakeoff
