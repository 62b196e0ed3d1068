// The experiment model: what a user's experiment file means after parsing and validation.
// Everything here is plain data with units in names; parsing lives in parser.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spec/option_schema.h"

namespace bakeoff {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown
};

struct EnvironmentSpec {
  std::string provider = "existing";  // embedded | local | existing | ...
  OptionValues options;               // validated against the provider's schema
};

struct SystemSpec {
  std::string name;    // unique within the experiment; used in tables and results
  std::string driver;  // kafka | memory | ...
  EnvironmentSpec environment;
  OptionValues options;  // validated against the driver's schema
  SourceLocation location;
};

struct MessageSizeSpec {
  enum class Distribution { kFixed, kUniform, kNormal };
  Distribution distribution = Distribution::kFixed;
  int64_t fixed_bytes = 100;
  int64_t min_bytes = 0;     // uniform; also the clamp floor for normal
  int64_t max_bytes = 0;     // uniform; also the clamp ceiling for normal
  int64_t mean_bytes = 0;    // normal
  int64_t stddev_bytes = 0;  // normal
};

struct KeySpec {
  enum class Distribution { kNone, kRoundRobin, kRandom, kZipf };
  Distribution distribution = Distribution::kNone;
  int64_t count = 1000;        // distinct keys (round-robin, random, zipf)
  double zipf_exponent = 1.0;  // zipf only; > 0
};

// One step of `rate: [{rate: 10k/s, for: 30s}, ...]`.
struct RateStep {
  double msgs_per_s = 0;  // total across all producers
  int64_t duration_ns = 0;
};

// `rate: {ramp: {from, to, over}}`: the rate changes linearly from `from` to `to` over `over`.
struct RampSpec {
  double from_msgs_per_s = 0;
  double to_msgs_per_s = 0;
  int64_t over_ns = 0;
};

// `rate: {find_max: {...}}`: a search of fixed-rate open-loop steps for the highest rate whose step
// meets the objective (corrected e2e p99 below the bound, no backlog growth, the rate sustained).
struct FindMaxSpec {
  int64_t p99_e2e_bound_ns = 0;  // the objective: corrected end-to-end p99 below this
  std::string objective_text;    // as written, e.g. "< 50ms"
  double start_msgs_per_s = 0;   // the first step's rate
  int64_t step_duration_ns = 10'000'000'000;
  double within = 0.05;  // bisect until (first bad - last good) / last good <= within
  int max_steps = 16;    // the search ends after this many steps whatever it found
  // How long after a step's sending ends its consumers may catch up before the next step starts.
  int64_t settle_timeout_ns() const { return std::max<int64_t>(5'000'000'000, 2 * step_duration_ns); }
  // Upper bound on the search's load time (steps and their settling), for validate's estimate.
  int64_t MaxLoadNs() const { return int64_t{max_steps} * (step_duration_ns + settle_timeout_ns()); }
};

struct RateSpec {
  bool max = false;  // closed loop: send as fast as the system accepts
  // Total across all producers when !max. With steps, a ramp or find_max: the first rate sent (the
  // warm-up's), so that code reading one target rate still reads a sensible one.
  double msgs_per_s = 1000.0;
  std::vector<RateStep> steps;          // non-empty: steps, one after another
  std::optional<RampSpec> ramp;         // a linear ramp
  std::optional<FindMaxSpec> find_max;  // a max-sustainable-rate search
  // Fixed rate throughout (no steps, ramp or search), open loop.
  bool fixed() const { return !max && steps.empty() && !ramp && !find_max; }
};

// `backlog: {messages: 200k | size: 1GiB, drain_ratio: 1.0}`: after the warm-up, consumers pause while
// producers build a backlog of this many messages (or bytes) at the workload's rate, then resume; the
// run measures the catch-up (drain) and then `duration` more of normal running.
struct BacklogSpec {
  int64_t messages = 0;  // the backlog to build, in messages (from `size` / message size if given so)
  int64_t bytes = 0;     // as written with `size`; 0 when `messages` was given
  // Drained when the backlog is down to (1 - drain_ratio) of its built size: 1.0 = fully caught up.
  double drain_ratio = 1.0;
  int64_t max_drain_ns = 600'000'000'000;  // the drain ends (not drained) after this long
};

// `payload: {pool: N, random_bytes_ratio: R}`: N distinct payloads; in each, about R of the bytes are
// random and the rest repeat one byte (OMB's randomized payload pool).
struct PayloadPoolSpec {
  int64_t count = 0;
  double random_bytes_ratio = 1.0;
};

struct PayloadSpec {
  enum class Kind { kRandom, kCompressible, kFile, kPool };
  Kind kind = Kind::kRandom;
  double compress_ratio = 0.5;  // kCompressible: target compressed/original size in (0, 1]
  std::string file;             // kFile: path, relative to the experiment file
  PayloadPoolSpec pool;         // kPool
  SourceLocation location;      // kFile: where `file` is written, for errors about the file itself
};

struct WorkloadSpec {
  int topics = 1;
  int partitions = 1;  // per topic
  int producers = 1;   // producer threads (all of them; with producers_per_topic = that x topics)
  // `producers_per_topic: N`: producer i writes only to topic i / N. 0 = every producer writes to
  // every topic (the stream is chosen by key or round robin).
  int producers_per_topic = 0;
  // Fan-out: independent subscriptions (consumer groups), each of which receives every message once.
  int subscriptions = 1;
  int consumers = 1;  // consumer threads per subscription; together they read every stream
  MessageSizeSpec message_size;
  KeySpec keys;
  RateSpec rate;
  std::optional<BacklogSpec> backlog;
  PayloadSpec payload;
  int64_t warmup_ns = 0;
  int64_t duration_ns = 10'000'000'000;       // measured phase, after warm-up
  std::optional<int64_t> messages;            // optional cap on messages per run (all producers)
  int64_t drain_timeout_ns = 10'000'000'000;  // how long consumers may catch up after sending ends
  // Closed loop (rate: max) only: producers pause while more than this many messages are sent but not
  // yet received, so "max" means the fastest rate the system delivers end to end, not the fastest it
  // buffers. Open-loop runs are never throttled by the harness. Default: ~2 MiB per stream, 1k..100k.
  int64_t max_backlog = 100'000;
  // CPUs the load generator's producer and consumer threads are pinned to ("0", "0-1", "0,2"); empty =
  // not pinned. Pin servers with the local environment's `cpus` so they do not share cores.
  std::string generator_cpus;
  // Total number of streams (topic x partition) the harness addresses.
  int streams() const { return topics * partitions; }
  // The longest the load may take (warm-up, steps or search, backlog build and drain, duration); for
  // a fixed rate exactly warm-up + duration. Provisioning and the final drain come on top.
  int64_t MaxLoadNs() const {
    int64_t load = warmup_ns + (rate.find_max ? rate.find_max->MaxLoadNs() : duration_ns);
    if (backlog) {
      const double rate_per_s = rate.max ? 0 : rate.msgs_per_s;
      const double build_s = rate_per_s > 0 ? static_cast<double>(backlog->messages) / rate_per_s : 0;
      load += static_cast<int64_t>(build_s * 2e9) + backlog->max_drain_ns;
    }
    return load;
  }
  // Consumer threads of a run: consumers of every subscription.
  int consumer_threads() const { return subscriptions * consumers; }
};

struct OutputSpec {
  std::string dir = "results";  // runs go to <dir>/<UTC time>-<name>/ unless --output is given
  // With dir `s3://bucket/prefix`: results are written locally, then uploaded (S3 path-style).
  std::string endpoint;  // e.g. http://127.0.0.1:4569; empty = https://s3.<region>.amazonaws.com
  std::string region;    // empty = AWS_REGION, AWS_DEFAULT_REGION, else us-east-1
};

// `thresholds:` (SLOs): one comparison of one metric of a run, e.g. `e2e_latency.corrected.p99: "< 20ms"`.
struct ThresholdSpec {
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  std::string scope;   // a system name, or "all"
  std::string metric;  // canonical metric path (spec/metric_catalog.h), e.g. "e2e_latency.corrected.p99"
  Op op = Op::kLess;
  double value = 0;  // in the metric's unit: ns for latencies, messages, messages/s, MB/s
  std::string text;  // as written, e.g. "< 20ms"
  SourceLocation location;
};

// One axis of `matrix:`: a path of the experiment and the values it takes (as written).
struct MatrixAxis {
  std::string path;  // "workload.message_size", "systems.kafka.options.acks"
  std::vector<std::string> values;
  SourceLocation location;
};

// One point of the matrix's cartesian product, validated like a whole experiment.
struct MatrixPoint {
  std::vector<std::pair<std::string, std::string>> values;  // path -> value text, in axis order
  std::vector<SystemSpec> systems;
  WorkloadSpec workload;
};

struct Experiment {
  std::string name;
  std::string description;
  std::vector<SystemSpec> systems;
  WorkloadSpec workload;
  OutputSpec output;
  std::string source_file;  // as given by the user
  std::vector<ThresholdSpec> thresholds;
  std::vector<MatrixAxis> matrix;
  // Without `matrix:` one point with no values and the experiment's own systems and workload.
  std::vector<MatrixPoint> points;
  int repeat = 1;  // runs per (point, system)
};

}  // namespace bakeoff
