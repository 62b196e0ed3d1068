// The runner driven through the memory driver: the real harness path, with the memory driver's fault
// options standing in for a misbehaving system.
#include "workload/runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "drivers/memory/memory_driver.h"
#include "measure/clock.h"

namespace bakeoff {
namespace {

struct MemoryRun {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;

  MemoryRun() {
    system.name = "memory";
    system.driver = "memory";
    workload.warmup_ns = 0;
    workload.duration_ns = 2'000'000'000;
    workload.drain_timeout_ns = 5'000'000'000;
    workload.message_size.fixed_bytes = 64;
  }

  Result<RunMetrics> Run(const std::atomic<bool>* interrupted = nullptr) {
    ApplyDefaults(GetMemoryDriver()->schema(), system.options);
    SessionContext ctx;
    ctx.system = &system;
    ctx.workload = &workload;
    ctx.run_id = "test";
    Result<std::unique_ptr<Session>> connected = GetMemoryDriver()->Connect(ctx);
    EXPECT_TRUE(connected.ok());
    session = std::move(connected).value();
    TopicLayout layout;
    for (int t = 0; t < workload.topics; ++t) layout.topics.push_back("t" + std::to_string(t));
    layout.partitions = workload.partitions;
    EXPECT_TRUE(session->CreateTopics(layout).ok());
    RunnerOptions options;
    options.system_name = "memory";
    options.streams = workload.streams();
    options.interrupted = interrupted;
    return RunWorkload(*session, workload, options);
  }
};

// The per-second intervals kept for the .hlog: contiguous from the end of the warm-up, none too short,
// and together exactly the run's corrected histograms.
void ExpectIntervalsCoverTheRun(const RunMetrics& m, int64_t warmup_ns) {
  ASSERT_FALSE(m.intervals.empty());
  EXPECT_EQ(m.intervals.front().start_ns, warmup_ns);
  uint64_t e2e = 0, publish = 0, e2e_uncorrected = 0, publish_uncorrected = 0, delay = 0;
  Histogram uncorrected_e2e;
  for (size_t i = 0; i < m.intervals.size(); ++i) {
    const IntervalHistograms& interval = m.intervals[i];
    if (i > 0) {
      const IntervalHistograms& previous = m.intervals[i - 1];
      EXPECT_EQ(interval.start_ns, previous.start_ns + previous.length_ns) << i;
    }
    if (m.intervals.size() > 1) {
      EXPECT_GE(interval.length_ns, 100'000'000) << i;
    }
    e2e += interval.e2e_corrected.total_count();
    publish += interval.publish_corrected.total_count();
    // omb-result.json's per-second lists: the same messages from the actual send time, and their delay.
    e2e_uncorrected += interval.e2e_uncorrected.total_count();
    publish_uncorrected += interval.publish_uncorrected.total_count();
    delay += interval.publish_delay.total_count();
    uncorrected_e2e.Merge(interval.e2e_uncorrected.ToHistogram());
    // Memory: a few KiB per second at most, not the ~37 KiB of a full histogram each.
    EXPECT_LT(interval.e2e_corrected.encoded_bytes() + interval.publish_corrected.encoded_bytes(), 8192u)
        << i;
  }
  EXPECT_EQ(e2e, m.e2e.corrected.total_count());
  EXPECT_EQ(publish, m.publish.corrected.total_count());
  EXPECT_EQ(e2e_uncorrected, m.e2e.uncorrected.total_count());
  EXPECT_EQ(publish_uncorrected, m.publish.uncorrected.total_count());
  EXPECT_EQ(delay, m.publish.corrected.total_count());
  EXPECT_EQ(m.publish_delay.total_count(), delay);
  EXPECT_EQ(uncorrected_e2e.max(), m.e2e.uncorrected.max());
  EXPECT_EQ(uncorrected_e2e.ValueAtPercentile(99), m.e2e.uncorrected.ValueAtPercentile(99));
  EXPECT_GT(m.producers_start_unix_ns, 0);
}

TEST(RunnerTest, FixedRateDeliversEverythingExactlyOnceInOrder) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 20'000;
  run.workload.partitions = 4;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  run.workload.duration_ns = 1'000'000'000;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const AccountingTotals& a = m->accounting;
  EXPECT_NEAR(static_cast<double>(a.sent), 20'000, 200);
  EXPECT_EQ(a.sent, a.acked);
  EXPECT_EQ(a.received, a.sent);
  EXPECT_EQ(a.lost, 0u);
  EXPECT_EQ(a.duplicated, 0u);
  EXPECT_EQ(a.out_of_order, 0u);
  EXPECT_EQ(m->stop_reason(), "completed");
  EXPECT_FALSE(m->partial);
  EXPECT_EQ(m->e2e.corrected.total_count(), a.received);
  EXPECT_NEAR(m->sent_msgs_per_s(), 20'000, 1'000);
  EXPECT_FALSE(m->closed_loop);
}

// Coordinated omission: the send path stalls for 1 s in a 10k/s run. Latency from the intended time
// must show the stall; latency from the actual send time hides it.
TEST(RunnerTest, StallShowsInCorrectedLatencyOnly) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.duration_ns = 3'000'000'000;
  run.system.options.Set("stall_after", int64_t{1'000'000'000});
  run.system.options.Set("stall_for", int64_t{1'000'000'000});
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const int64_t corrected = m->e2e.corrected.ValueAtPercentile(99.9);
  const int64_t uncorrected = m->e2e.uncorrected.ValueAtPercentile(99.9);
  EXPECT_GE(corrected, 500'000'000) << "corrected p99.9 must include the 1 s stall";
  EXPECT_LT(uncorrected, 50'000'000) << "uncorrected p99.9 only sees the one blocked send";
  EXPECT_GE(m->publish.corrected.ValueAtPercentile(99.9), 500'000'000);
  EXPECT_EQ(m->accounting.lost, 0u);
  // Messages intended during the stall were still sent (late), not skipped.
  EXPECT_NEAR(static_cast<double>(m->accounting.sent), 30'000, 300);
}

TEST(RunnerTest, InjectedLossAndDuplicationAreCountedExactly) {
  MemoryRun run;
  run.workload.rate.max = true;
  run.workload.messages = 100'000;
  run.workload.partitions = 3;
  run.system.options.Set("drop_every", int64_t{1000});
  run.system.options.Set("duplicate_every", int64_t{250});
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const AccountingTotals& a = m->accounting;
  EXPECT_EQ(a.sent, 100'000u);
  EXPECT_EQ(a.acked, 100'000u);
  EXPECT_EQ(a.lost, 100u);  // every 1000th
  // Every 250th is duplicated, except those that were also dropped (every 1000th).
  EXPECT_EQ(a.duplicated, 400u - 100u);
  EXPECT_EQ(a.received, 100'000u - 100u + 300u);
  EXPECT_EQ(a.out_of_order, 0u);
  EXPECT_TRUE(m->closed_loop);
}

TEST(RunnerTest, WarmupIsExcludedFromLatency) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.warmup_ns = 500'000'000;
  run.workload.duration_ns = 1'000'000'000;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NEAR(static_cast<double>(m->accounting.sent), 15'000, 150);
  EXPECT_NEAR(static_cast<double>(m->e2e.corrected.total_count()), 10'000, 100);
  EXPECT_NEAR(static_cast<double>(m->publish.corrected.total_count()), 10'000, 100);
  bool saw_warmup = false, saw_measured = false;
  for (const SecondSample& s : m->series) (s.warmup ? saw_warmup : saw_measured) = true;
  EXPECT_TRUE(saw_warmup);
  EXPECT_TRUE(saw_measured);
  ExpectIntervalsCoverTheRun(*m, run.workload.warmup_ns);
  EXPECT_GE(m->intervals.size(), 2u);  // [0.5 s, 1 s], then [1 s, end of the drain]
}

// A warm-up of whole seconds ends just before a sample: that sliver is joined to the next second.
TEST(RunnerTest, IntervalsAfterAWholeSecondWarmupAddUpAcrossWorkers) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.partitions = 4;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  run.workload.warmup_ns = 1'000'000'000;
  run.workload.duration_ns = 2'000'000'000;
  const int64_t before_unix_ns = WallNowNs();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectIntervalsCoverTheRun(*m, run.workload.warmup_ns);
  EXPECT_GE(m->intervals.size(), 2u);
  EXPECT_GE(m->producers_start_unix_ns, before_unix_ns);
  EXPECT_LT(m->producers_start_unix_ns, before_unix_ns + 1'000'000'000);
  EXPECT_NEAR(static_cast<double>(m->e2e.corrected.total_count()), 20'000, 200);
}

TEST(RunnerTest, ThrottledSystemFallsBehindAndShowsIt) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 20'000;
  run.workload.duration_ns = 1'000'000'000;
  run.workload.drain_timeout_ns = 1'000'000'000;
  run.system.options.Set("max_msgs_per_s", 5'000.0);
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(m->accounting.sent, 12'000u);
  EXPECT_EQ(m->accounting.lost, 0u);
  EXPECT_GE(m->e2e.corrected.ValueAtPercentile(99), 300'000'000);
  EXPECT_GT(m->errors.total(ErrorPhase::kSchedule), 0u);
}

TEST(RunnerTest, InterruptStopsEarlyWithPartialResults) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.duration_ns = 60'000'000'000;
  std::atomic<bool> interrupted{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    interrupted.store(true);
  });
  const auto start = std::chrono::steady_clock::now();
  Result<RunMetrics> m = run.Run(&interrupted);
  stopper.join();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(m->partial);
  EXPECT_EQ(m->stop_reason(), "interrupted");
  EXPECT_GT(m->accounting.sent, 0u);
  EXPECT_EQ(m->accounting.lost, 0u);
  ExpectIntervalsCoverTheRun(*m, 0);
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

// A lossy system at max rate must not stall the producers: lost messages are not "in flight".
TEST(RunnerTest, ClosedLoopBacklogIgnoresLostMessages) {
  MemoryRun run;
  run.workload.rate.max = true;
  run.workload.messages = 200'000;
  run.workload.max_backlog = 1000;
  run.workload.duration_ns = 20'000'000'000;
  run.system.options.Set("drop_every", int64_t{2});
  const auto start = std::chrono::steady_clock::now();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(m->accounting.sent, 200'000u);
  EXPECT_EQ(m->accounting.lost, 100'000u);
  EXPECT_EQ(m->accounting.received, 100'000u);
}

}  // namespace
}  // namespace bakeoff

namespace bakeoff {
namespace {

TEST(RunnerTest, GeneratorThreadsCanBePinned) {
  MemoryRun run;
  run.workload.rate.msgs_per_s = 10'000;
  run.workload.duration_ns = 500'000'000;
  run.workload.generator_cpus = "0";
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->accounting.lost, 0u);
  EXPECT_GT(m->accounting.received, 4'000u);
}

TEST(RunnerTest, GeneratorCpusOutsideTheMachineIsANamedError) {
  MemoryRun run;
  run.workload.generator_cpus = "4000";
  Result<RunMetrics> m = run.Run();
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("generator_cpus"), std::string::npos) << m.status().ToString();
}

}  // namespace
}  // namespace bakeoff
