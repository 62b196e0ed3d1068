// Rate steps, ramps, the max-rate search, backlog build and drain, and producers per topic, through
// the real runner on the memory driver (its throttle stands in for a system of known capacity).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>

#include "drivers/memory/memory_driver.h"
#include "workload/find_max.h"
#include "workload/runner.h"

namespace bakeoff {
namespace {

struct ShapeRun {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;

  ShapeRun() {
    system.name = "memory";
    system.driver = "memory";
    workload.warmup_ns = 0;
    workload.drain_timeout_ns = 5'000'000'000;
    workload.message_size.fixed_bytes = 64;
  }

  Result<RunMetrics> Run(Session* through = nullptr) {
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
    return RunWorkload(through ? *through : *session, workload, options);
  }
};

void ExpectExact(const RunMetrics& m) {
  EXPECT_EQ(m.accounting.lost, 0u);
  EXPECT_EQ(m.accounting.duplicated, 0u);
  EXPECT_EQ(m.accounting.out_of_order, 0u);
  EXPECT_EQ(m.accounting.received, m.accounting.sent);
}

TEST(RateShapesTest, StepsFollowTheirRatesAndAreSummarizedEach) {
  ShapeRun run;
  run.workload.producers = 2;
  run.workload.partitions = 2;
  run.workload.rate.steps = {{5'000, 1'000'000'000}, {20'000, 1'000'000'000}, {10'000, 500'000'000}};
  run.workload.rate.msgs_per_s = 5'000;
  run.workload.duration_ns = 2'500'000'000;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectExact(*m);
  // Intended: 5k + 20k + 5k messages.
  EXPECT_NEAR(static_cast<double>(m->accounting.sent), 30'000, 300);
  ASSERT_EQ(m->steps.size(), 3u);
  const double targets[] = {5'000, 20'000, 10'000};
  uint64_t e2e_count = 0;
  for (size_t i = 0; i < 3; ++i) {
    const StepMetrics& step = m->steps[i];
    EXPECT_DOUBLE_EQ(step.rate_target, targets[i]);
    EXPECT_NEAR(step.sent_per_s, targets[i], targets[i] * 0.1) << i;
    EXPECT_NEAR(step.received_per_s, targets[i], targets[i] * 0.1) << i;
    EXPECT_TRUE(step.met) << i << ": " << step.why;
    // Loose: the shared test machine's load shows in latency; the counts above are what must hold.
    EXPECT_LT(step.e2e.ValueAtPercentile(99), 1'000'000'000) << i;
    EXPECT_LT(std::abs(step.backlog_growth), 500) << i;
    e2e_count += step.e2e.total_count();
  }
  EXPECT_NEAR(m->steps[1].start_s - m->steps[0].start_s, 1.0, 0.05);
  EXPECT_NEAR(m->steps[2].duration_s, 0.5, 0.05);
  // The steps together hold every measured latency.
  EXPECT_EQ(e2e_count, m->e2e.corrected.total_count());
}

TEST(RateShapesTest, RampRisesLinearlyWithCorrectedTimes) {
  ShapeRun run;
  run.workload.warmup_ns = 500'000'000;
  run.workload.rate.ramp = RampSpec{2'000, 20'000, 2'000'000'000};
  run.workload.rate.msgs_per_s = 2'000;
  run.workload.duration_ns = 2'000'000'000;
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectExact(*m);
  // Warm-up 0.5 s at 2k/s, then the ramp's mean 11k/s for 2 s.
  EXPECT_NEAR(static_cast<double>(m->accounting.sent), 1'000 + 22'000, 300);
  EXPECT_NEAR(static_cast<double>(m->e2e.corrected.total_count()), 22'000, 300);
  ASSERT_EQ(m->steps.size(), 2u);  // one piece per second
  EXPECT_NEAR(m->steps[0].rate_target, 6'500, 1);
  EXPECT_NEAR(m->steps[1].rate_target, 15'500, 1);
  EXPECT_NEAR(m->steps[0].sent_per_s, 6'500, 650);
  EXPECT_NEAR(m->steps[1].sent_per_s, 15'500, 1'550);
  EXPECT_LT(m->e2e.corrected.ValueAtPercentile(99), 1'000'000'000);
}

// The search on a system of known capacity: 2 producers x 5,000 msg/s = 10,000 msg/s. Above it the
// throttle pushes back on the producers, so a step sends less than 95% of its rate and fails; the
// latency bound is loose so that the shared machine's load does not decide the outcome.
TEST(RateShapesTest, FindMaxFindsAThrottledCapacityWithinTenPercent) {
  ShapeRun run;
  run.workload.producers = 2;
  run.workload.partitions = 2;
  run.system.options.Set("max_msgs_per_s", 5'000.0);
  FindMaxSpec spec;
  spec.p99_e2e_bound_ns = 1'000'000'000;
  spec.objective_text = "e2e_latency.corrected.p99 < 1s";
  spec.start_msgs_per_s = 2'000;
  // 2 s steps: the throttle's 50 ms of credit (refilled between steps) is 2.5% of a step.
  spec.step_duration_ns = 2'000'000'000;
  spec.within = 0.05;
  spec.max_steps = 10;
  run.workload.rate.find_max = spec;
  run.workload.rate.msgs_per_s = spec.start_msgs_per_s;
  run.workload.duration_ns = spec.MaxLoadNs();
  const auto start = std::chrono::steady_clock::now();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(90));
  ASSERT_TRUE(m->find_max.has_value());
  const FindMaxOutcome& f = *m->find_max;
  for (const StepMetrics& s : m->steps) {
    std::printf("  step %.0f/s: sent %.0f/s received %.0f/s p99 %.2f ms backlog %+ld %s %s\n", s.rate_target,
                s.sent_per_s, s.received_per_s, s.e2e.ValueAtPercentile(99) / 1e6, s.backlog_growth,
                s.met ? "met" : "failed:", s.why.c_str());
  }
  std::printf("  found %.0f/s after %d steps (%s)\n", f.found_rate, f.steps, f.ended.c_str());
  EXPECT_TRUE(f.found);
  EXPECT_GE(f.found_rate, 9'000);
  EXPECT_LE(f.found_rate, 11'000);
  EXPECT_EQ(f.steps, static_cast<int>(m->steps.size()));
  EXPECT_GE(f.steps, 4);
  EXPECT_LE(f.steps, 10);
  // It grew from the start (2k, 4k, 8k met) and saw at least one failing step above the capacity.
  EXPECT_TRUE(m->steps[0].met);
  bool failed_above = false;
  for (const StepMetrics& s : m->steps) failed_above = failed_above || (!s.met && s.rate_target > 10'000);
  EXPECT_TRUE(failed_above);
  // Every message of every step arrived, none twice (steps settle before the next begins).
  ExpectExact(*m);
}

TEST(FindMaxSearchTest, GrowsThenBisectsUntilWithin) {
  FindMaxSpec spec;
  spec.p99_e2e_bound_ns = 10'000'000;
  spec.start_msgs_per_s = 1'000;
  spec.within = 0.05;
  spec.max_steps = 30;
  FindMaxSearch search(spec, true);
  const double capacity = 6'300;
  int steps = 0;
  while (!search.done()) {
    StepMetrics step;
    step.rate_target = search.next_rate();
    step.duration_s = 1;
    const bool over = step.rate_target > capacity;
    step.sent_per_s = step.rate_target;
    step.received_per_s = over ? capacity : step.rate_target;
    step.e2e.Record(over ? 500'000'000 : 1'000'000);
    step.backlog_growth = over ? static_cast<int64_t>(step.rate_target - capacity) : 0;
    search.Judge(step);
    EXPECT_EQ(step.met, !over) << step.rate_target << " " << step.why;
    ++steps;
  }
  const FindMaxOutcome out = search.Outcome();
  EXPECT_TRUE(out.found);
  EXPECT_LE(out.found_rate, capacity);
  EXPECT_GE(out.found_rate, capacity * 0.95);
  EXPECT_EQ(out.steps, steps);
  EXPECT_LT(steps, 12);
  EXPECT_EQ(out.ended, "within 5%");
}

TEST(FindMaxSearchTest, ShrinksWhenTheStartIsTooHighAndStopsAtMaxSteps) {
  FindMaxSpec spec;
  spec.p99_e2e_bound_ns = 10'000'000;
  spec.start_msgs_per_s = 100'000;
  spec.max_steps = 3;
  FindMaxSearch search(spec, true);
  std::vector<double> rates;
  while (!search.done()) {
    StepMetrics step;
    step.rate_target = search.next_rate();
    rates.push_back(step.rate_target);
    step.duration_s = 1;
    step.sent_per_s = step.received_per_s = step.rate_target;
    step.e2e.Record(100'000'000);  // always over the bound
    search.Judge(step);
    EXPECT_FALSE(step.met);
    EXPECT_NE(step.why.find("p99"), std::string::npos) << step.why;
  }
  EXPECT_EQ(rates, (std::vector<double>{100'000, 50'000, 25'000}));
  EXPECT_FALSE(search.Outcome().found);
  EXPECT_EQ(search.Outcome().ended, "max_steps (3) reached");
}

TEST(RateShapesTest, BacklogBuildsWithConsumersPausedThenDrains) {
  ShapeRun run;
  run.workload.producers = 2;
  run.workload.partitions = 2;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 100'000;
  run.workload.duration_ns = 1'000'000'000;
  run.workload.backlog = BacklogSpec{.messages = 200'000, .drain_ratio = 1.0, .max_drain_ns = 30'000'000'000};
  run.system.options.Set("queue_depth", int64_t{131072});  // 4 rings hold the 200k backlog
  const auto start = std::chrono::steady_clock::now();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  ExpectExact(*m);
  ASSERT_TRUE(m->backlog.has_value());
  const BacklogMetrics& b = *m->backlog;
  std::printf(
      "  backlog %lu messages built in %.2f s, drained in %.3f s at %.0f msg/s; producers %.0f msg/s; "
      "e2e p99 during %.1f ms, after %.2f ms\n",
      b.messages, b.build_s, b.drain_s, b.drain_read_per_s, b.producer_rate_during_drain,
      b.e2e_during_drain.ValueAtPercentile(99) / 1e6, b.e2e_after_drain.ValueAtPercentile(99) / 1e6);
  EXPECT_GE(b.messages, 200'000u);
  EXPECT_LT(b.messages, 210'000u);
  EXPECT_EQ(b.bytes, b.messages * 64);
  EXPECT_NEAR(b.build_s, 2.0, 0.2);  // 200k at 100k/s
  EXPECT_TRUE(b.drained);
  EXPECT_GT(b.drain_s, 0);
  EXPECT_LT(b.drain_s, 10);
  // Catching up, consumers read faster than producers write.
  EXPECT_GT(b.drain_read_per_s, b.producer_rate_during_drain);
  EXPECT_GT(b.producer_rate_during_drain, 0);  // the memory drain lasts milliseconds: no steady rate
  // During the drain the oldest messages waited the whole build; after it, latency is back to normal.
  EXPECT_GE(b.e2e_during_drain.ValueAtPercentile(99), 1'000'000'000);
  EXPECT_LT(b.e2e_after_drain.ValueAtPercentile(50), b.e2e_during_drain.ValueAtPercentile(50) / 4);
  EXPECT_GT(b.e2e_after_drain.total_count(), 80'000u);
  EXPECT_TRUE(m->steps.empty());
}

// Records which streams each producer sent to.
class RecordingSession final : public Session {
 public:
  explicit RecordingSession(Session& inner) : inner_(inner) {}
  Status CreateTopics(const TopicLayout& layout) override { return inner_.CreateTopics(layout); }
  Status DeleteTopics() override { return inner_.DeleteTopics(); }
  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    return inner_.NewConsumer(spec);
  }
  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    Result<std::unique_ptr<Producer>> inner = inner_.NewProducer(index, sink);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<Producer>(new RecordingProducer(std::move(inner).value(), index, *this));
  }
  std::set<std::pair<int, uint32_t>> sends() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sends_;
  }

 private:
  class RecordingProducer final : public Producer {
   public:
    RecordingProducer(std::unique_ptr<Producer> inner, int index, RecordingSession& owner)
        : inner_(std::move(inner)), index_(index), owner_(owner) {}
    Status Send(const OutMessage& m) override {
      {
        std::lock_guard<std::mutex> lock(owner_.mutex_);
        owner_.sends_.insert({index_, m.stream});
      }
      return inner_->Send(m);
    }
    void Poll(std::chrono::nanoseconds wait) override { inner_->Poll(wait); }
    Status Flush(std::chrono::nanoseconds timeout) override { return inner_->Flush(timeout); }

   private:
    std::unique_ptr<Producer> inner_;
    int index_;
    RecordingSession& owner_;
  };
  Session& inner_;
  std::mutex mutex_;
  std::set<std::pair<int, uint32_t>> sends_;
};

TEST(RateShapesTest, ProducersPerTopicWriteOnlyToTheirTopic) {
  ShapeRun run;
  run.workload.topics = 3;
  run.workload.partitions = 2;
  run.workload.producers_per_topic = 2;
  run.workload.producers = 6;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 6'000;
  run.workload.duration_ns = 500'000'000;
  // The memory session is created inside Run; wrap it through a lazily bound recorder.
  ApplyDefaults(GetMemoryDriver()->schema(), run.system.options);
  SessionContext ctx;
  ctx.system = &run.system;
  ctx.workload = &run.workload;
  ctx.run_id = "test";
  Result<std::unique_ptr<Session>> connected = GetMemoryDriver()->Connect(ctx);
  ASSERT_TRUE(connected.ok());
  std::unique_ptr<Session> session = std::move(connected).value();
  TopicLayout layout{.topics = {"t0", "t1", "t2"}, .partitions = 2};
  ASSERT_TRUE(session->CreateTopics(layout).ok());
  RecordingSession recorder(*session);
  RunnerOptions options;
  options.streams = run.workload.streams();
  Result<RunMetrics> m = RunWorkload(recorder, run.workload, options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ExpectExact(*m);
  EXPECT_NEAR(static_cast<double>(m->accounting.sent), 3'000, 60);
  std::set<std::pair<int, uint32_t>> expected;
  for (int p = 0; p < 6; ++p) {
    const uint32_t topic = static_cast<uint32_t>(p / 2);
    expected.insert({p, topic * 2});
    expected.insert({p, topic * 2 + 1});
  }
  EXPECT_EQ(recorder.sends(), expected);
}

}  // namespace
}  // namespace bakeoff
