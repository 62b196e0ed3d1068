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
#include "workload/runner.h"

namespace bakeoff {
namespace {

double RunMemoryMaxRate(int64_t duration_ns, RunMetrics* out) {
  SystemSpec system;
  system.name = "memory";
  system.driver = "memory";
  ApplyDefaults(GetMemoryDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.rate.max = true;
  workload.message_size.fixed_bytes = 64;
  workload.warmup_ns = 500'000'000;
  workload.duration_ns = duration_ns;
  // What the experiment parser gives this workload by default (~2 MiB per stream), as `bakeoff run` has.
  workload.max_backlog = (int64_t{2} << 20) / workload.message_size.fixed_bytes;
  SessionContext ctx;
  ctx.system = &system;
  ctx.workload = &workload;
  ctx.run_id = "bench";
  auto session = GetMemoryDriver()->Connect(ctx);
  if (!session.ok()) return 0;
  TopicLayout layout;
  layout.topics = {"bench"};
  if (!(*session)->CreateTopics(layout).ok()) return 0;
  RunnerOptions options;
  options.system_name = "memory";
  auto metrics = RunWorkload(**session, workload, options);
  if (!metrics.ok()) return 0;
  *out = std::move(metrics).value();
  return out->received_msgs_per_s();
}

void BM_HarnessVsReference(benchmark::State& state) {
  const int64_t duration_ns = state.range(0) * 1'000'000'000LL;
  for (auto _ : state) {
    uint64_t reference_messages = 0;
    const double reference = bench::RunReferenceRing(std::chrono::nanoseconds(duration_ns), &reference_messages);
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
