// Harness benchmarks. The headline: the `memory` driver end to end at max rate (1 producer, 1
// consumer, 64-byte messages, through the real runner: schedule, headers, acks, accounting,
// histograms) against a bare SPSC ring reference measured in the same run.
//
//   ./build/bench/bakeoff_bench --benchmark_filter=HarnessVsReference
//
// The target is memory / reference >= 0.5 (counter `ratio`).
#include <benchmark/benchmark.h>

#include "bench/reference_ring.h"
#include "drivers/memory/memory_driver.h"
#include "measure/histogram.h"
#include "measure/message_header.h"
#include "run/experiment_runner.h"
#include "run/registry_schemas.h"
#include "workload/runner.h"

namespace bakeoff {
namespace {

// The memory driver through the same path as `bakeoff run` (parse -> RunExperiment), 1 producer,
// 1 consumer, 64-byte messages, closed loop.
double RunMemoryMaxRate(int64_t duration_ns, RunMetrics* out) {
  const std::string yaml =
      "name: bench\nsystems:\n  - name: memory\n    driver: memory\n"
      "workload:\n  partitions: 1\n  message_size: 64B\n  rate: max\n"
      "  warmup: 500ms\n  duration: " +
      std::to_string(duration_ns / 1'000'000) + "ms\n";
  RegistrySchemas schemas;
  ParseOutcome parsed = ParseExperiment(yaml, "bench.yaml", schemas);
  if (!parsed.ok()) return 0;
  ExperimentRunOptions options;  // no output dir: nothing written
  RunContext context;
  ExperimentOutcome outcome = RunExperiment(parsed.experiment, options, context);
  if (outcome.result.runs.empty() || !outcome.result.runs[0].has_metrics) return 0;
  *out = std::move(outcome.result.runs[0].metrics);
  return out->received_msgs_per_s();
}

void BM_HarnessVsReference(benchmark::State& state) {
  const int64_t duration_ns = state.range(0) * 1'000'000'000LL;
  for (auto _ : state) {
    uint64_t reference_messages = 0;
    const double reference =
        bench::RunReferenceRing(std::chrono::nanoseconds(duration_ns), &reference_messages);
    RunMetrics metrics;
    const double memory = RunMemoryMaxRate(duration_ns, &metrics);
    state.counters["reference_msgs_per_s"] = reference;
    state.counters["memory_msgs_per_s"] = memory;
    state.counters["ratio"] = reference > 0 ? memory / reference : 0;
    state.counters["memory_lost"] = static_cast<double>(metrics.accounting.lost);
    state.counters["memory_e2e_p99_ns"] = static_cast<double>(metrics.e2e.corrected.ValueAtPercentile(99));
  }
}
BENCHMARK(BM_HarnessVsReference)->Arg(3)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

void BM_HistogramRecord(benchmark::State& state) {
  Histogram h;
  int64_t v = 1000;
  for (auto _ : state) {
    h.Record(v);
    v = (v * 1103515245 + 12345) & 0xffffffff;
  }
  benchmark::DoNotOptimize(h.total_count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HeaderEncodeDecode(benchmark::State& state) {
  std::byte buf[64] = {};
  MessageHeader h{1, 0, 100, 200};
  for (auto _ : state) {
    ++h.seq;
    EncodeHeader(h, buf);
    auto d = DecodeHeader(buf);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HeaderEncodeDecode);

}  // namespace
}  // namespace bakeoff

BENCHMARK_MAIN();
