#include "workload/runner.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "measure/clock.h"
#include "spec/cpu_list.h"
#include "workload/client_events.h"
#include "workload/find_max.h"
#include "workload/sampler.h"
#include "workload/workers.h"

namespace bakeoff {
namespace {

using internal::ConsumerWorker;
using internal::ProducerWorker;
using internal::Sampler;
using internal::ScheduleBoard;
using internal::SharedState;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kStartDelayNs = 50'000'000;  // lets every thread reach its loop before start
constexpr int64_t kInterruptedDrainNs = 2'000'000'000;
constexpr auto kControlTick = std::chrono::milliseconds(20);
constexpr auto kBacklogTick = std::chrono::milliseconds(2);
// After the last message of every stream arrived, how long stragglers (reordered messages) may still come.
constexpr int64_t kLateArrivalGraceNs = 1'000'000'000;
constexpr int64_t kFarFutureNs = std::numeric_limits<int64_t>::max() / 4;
constexpr int64_t kRampPieces = 10;
// Between two search steps: producers wait for the next one, which is published this long ahead.
constexpr int64_t kSearchStepGapNs = 100'000'000;
// A rate step or ramp piece is sustained when it sent and received at least this share of its target
// (as a fixed-rate run's verdict, results/result.h kSustainTolerance).
constexpr double kStepSustainShare = 0.90;

// A write to a socket whose server died raises SIGPIPE in the writing thread, which would end the
// whole process. Blocked, the write fails with EPIPE and the driver reports an error instead.
void BlockSigpipeOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Pins the calling thread to `cpus` (empty = leave it alone).
void PinThisThread(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

bool Interrupted(const RunnerOptions& options) {
  return options.interrupted != nullptr && options.interrupted->load();
}

// One run of RunWorkload, phase by phase: workers, consumers ready, producers, produce, drain, results.
// Every phase is bounded in time; on a failure the phases already started are stopped by the caller's
// next step (StopConsumers), so no thread outlives the run.
class WorkloadRun {
 public:
  WorkloadRun(Session& session, const WorkloadSpec& workload, const RunnerOptions& options)
      : session_(session),
        workload_(workload),
        options_(options),
        streams_(std::max(1, options.streams)),
        producer_count_(std::max(1, workload.producers)),
        subscription_count_(std::max(1, workload.subscriptions)),
        shared_(subscription_count_) {}

  ~WorkloadRun() {
    StopConsumers();
    session_.SetClientEventSink(nullptr);
  }
  WorkloadRun(const WorkloadRun&) = delete;
  WorkloadRun& operator=(const WorkloadRun&) = delete;

  // Consumer clients and both kinds of worker; producers' driver clients come later (CreateProducers).
  Status CreateWorkers() {
    session_.SetClientEventSink(&client_events_);
    for (int sub = 0; sub < subscription_count_; ++sub) {
      for (int c = 0; c < workload_.consumers; ++c) {
        const ConsumerSpec spec{.subscription = sub,
                                .subscriptions = subscription_count_,
                                .index = c,
                                .count = workload_.consumers};
        Result<std::unique_ptr<Consumer>> consumer = session_.NewConsumer(spec);
        if (!consumer.ok()) return consumer.status();
        consumers_.push_back(std::make_unique<ConsumerWorker>(sub, producer_count_, streams_, shared_,
                                                              std::move(consumer).value()));
      }
    }
    for (int p = 0; p < producer_count_; ++p) {
      Result<PayloadGenerator> payload =
          PayloadGenerator::Create(workload_, options_.base_dir, 0xb4ce0ffULL + static_cast<uint64_t>(p));
      if (!payload.ok()) return payload.status();
      // producers_per_topic: producer p writes only to topic p / N, i.e. that topic's partitions.
      uint32_t first_stream = 0;
      uint32_t stream_count = static_cast<uint32_t>(streams_);
      if (workload_.producers_per_topic > 0) {
        const int partitions = std::max(1, workload_.partitions);
        first_stream = static_cast<uint32_t>((p / workload_.producers_per_topic) * partitions);
        stream_count = static_cast<uint32_t>(std::min(partitions, streams_ - static_cast<int>(first_stream)));
      }
      // The worker is the completion sink, so it exists before its driver producer.
      producers_.push_back(std::make_unique<ProducerWorker>(
          p, streams_, workload_, shared_, std::move(payload).value(), first_stream, stream_count));
    }
    if (!workload_.generator_cpus.empty()) {
      Result<std::vector<int>> cpus = ParseCpuList(workload_.generator_cpus);
      if (!cpus.ok()) return InvalidArgument("workload.generator_cpus: " + cpus.status().message());
      generator_cpus_ = std::move(cpus).value();
    }
    return Status::Ok();
  }

  // Consumers first: they must be assigned their streams before anything is measured.
  Status StartConsumersAndWaitReady() {
    for (auto& c : consumers_) {
      consumer_threads_.emplace_back([&c, this] {
        BlockSigpipeOnThisThread();
        PinThisThread(generator_cpus_);
        c->Run();
      });
    }
    const int64_t ready_deadline = MonotonicNowNs() + options_.consumer_ready_timeout.count();
    while (true) {
      const bool all_ready =
          std::all_of(consumers_.begin(), consumers_.end(), [](auto& c) { return c->ready.load(); });
      if (all_ready) {
        client_events_.set_counting(true);  // the group has formed: a rebalance from now on is news
        return Status::Ok();
      }
      if (Interrupted(options_)) return Cancelled("interrupted while waiting for consumers to be ready");
      if (MonotonicNowNs() >= ready_deadline) {
        return Timeout("consumers were not ready (assigned their partitions) within " +
                       std::to_string(options_.consumer_ready_timeout.count() / kSecondNs) + " s");
      }
      std::this_thread::sleep_for(kControlTick);
    }
  }

  // Producers are created after consumers are ready so that their first sends are not delayed.
  Status CreateProducers() {
    for (int p = 0; p < producer_count_; ++p) {
      Result<std::unique_ptr<Producer>> producer = session_.NewProducer(p, *producers_[p]);
      if (!producer.ok()) return producer.status();
      producers_[p]->SetProducer(std::move(producer).value());
    }
    return Status::Ok();
  }

  // Fixes the run's clock before any producer starts, so that all agree on the windows, then starts them.
  void StartProducers() {
    start_ns_ = MonotonicNowNs() + kStartDelayNs;
    shared_.clock.start_ns = start_ns_;
    metrics_.producers_start_unix_ns = WallNowNs() + (start_ns_ - MonotonicNowNs());
    shared_.clock.measure_start_ns = start_ns_ + workload_.warmup_ns;
    shared_.clock.measure_end_ns = shared_.clock.measure_start_ns + workload_.duration_ns;
    if (adaptive()) shared_.clock.measure_end_ns = kFarFutureNs;  // the control thread decides the end
    shared_.produce_until_ns.store(shared_.clock.measure_end_ns);
    shared_.send_deadline_ns.store(
        adaptive() ? kFarFutureNs : shared_.clock.measure_end_ns + workload_.drain_timeout_ns / 2);
    PlanSchedule();
    const int64_t flush_timeout_ns = workload_.drain_timeout_ns;
    for (auto& p : producers_) {
      producer_threads_.emplace_back([&p, flush_timeout_ns, this] {
        BlockSigpipeOnThisThread();
        PinThisThread(generator_cpus_);
        while (MonotonicNowNs() < start_ns_) std::this_thread::sleep_for(std::chrono::microseconds(200));
        p->Run(flush_timeout_ns);
      });
    }
    sampler_ = std::make_unique<Sampler>(options_, workload_, shared_, producers_, consumers_);
  }

  // Phase 1: until every producer is done (bounded by the send deadline plus the flush timeout).
  void Produce() {
    // Closed-loop end-to-end backpressure (see WorkloadSpec::max_backlog); never for open-loop runs.
    const uint64_t backlog_limit =
        workload_.rate.max && !consumers_.empty() ? static_cast<uint64_t>(workload_.max_backlog) : 0;
    while (!std::all_of(producers_.begin(), producers_.end(), [](auto& p) { return p->done.load(); })) {
      if (!interrupted_ && Interrupted(options_)) {
        interrupted_ = true;
        shared_.stop_producing.store(true);
      }
      if (backlog_limit > 0) {
        uint64_t sent = 0;
        for (auto& p : producers_) sent += p->sent.load(std::memory_order_relaxed);
        // In flight = sent beyond the highest sequence number received per stream, so messages a lossy
        // system dropped (NATS core, MQTT QoS 0) do not hold the producers back forever. With fan-out the
        // slowest subscription sets the pace.
        const uint64_t frontier = shared_.SlowestFrontier();
        shared_.backlog_full.store(sent > frontier && sent - frontier > backlog_limit,
                                   std::memory_order_relaxed);
      }
      const int64_t now = MonotonicNowNs();
      sampler_->MaybeSample(now);
      if (!interrupted_) StepPhases(now);
      // Wake at the next step's boundary rather than up to a tick after it.
      // A backlog's build and drain end on counts: look often, so that their times are exact to ~2 ms.
      const bool counting = backlog_phase_ == BacklogPhase::kBuild || backlog_phase_ == BacklogPhase::kDrain;
      int64_t sleep_ns =
          std::chrono::nanoseconds(backlog_limit > 0 || counting ? kBacklogTick : kControlTick).count();
      if (next_phase_ < phase_plan_.size()) {
        sleep_ns = std::clamp<int64_t>(phase_plan_[next_phase_].start_ns - MonotonicNowNs(), 0, sleep_ns);
      }
      std::this_thread::sleep_for(std::chrono::nanoseconds(sleep_ns));
    }
    for (auto& t : producer_threads_) t.join();
    producers_done_ns_ = MonotonicNowNs();
    // The last step's sending ended with the schedule, not when the control thread noticed it.
    sampler_->MarkSendingEnd();
    if (find_max_ && !find_max_->done()) find_max_->Stop(interrupted_ ? "interrupted" : "producers stopped");
  }

  // Phase 2: consumers may catch up until every message that was not reported failed arrived, the
  // drain timeout passes, or every stream's last message arrived and stragglers had their grace.
  void Drain() {
    uint64_t expected = 0;
    for (auto& p : producers_) {
      for (const StreamSendRecord& r : p->accounting.records())
        expected += r.sent - std::min(r.sent, r.failed.size());
    }
    const int64_t drain_deadline =
        producers_done_ns_ + (interrupted_ ? kInterruptedDrainNs : workload_.drain_timeout_ns);
    uint64_t sent_total = 0;
    for (auto& p : producers_) sent_total += p->sent.load();
    drained_ = consumers_.empty();
    bool frontier_complete = false;  // the last message of every stream arrived: the rest is lost or late
    int64_t frontier_complete_ns = 0;
    // Every subscription must receive every message: each one is checked on its own.
    auto every_subscription = [this](auto reached) {
      return std::all_of(shared_.subscriptions.begin(), shared_.subscriptions.end(), reached);
    };
    while (!drained_) {
      if (every_subscription([expected](const auto& s) { return s.distinct_received.load() >= expected; })) {
        drained_ = true;
        break;
      }
      const int64_t now = MonotonicNowNs();
      if (now >= drain_deadline) break;
      if (!frontier_complete &&
          every_subscription([sent_total](const auto& s) { return s.frontier_total.load() >= sent_total; })) {
        frontier_complete = true;
        frontier_complete_ns = now;
      }
      if (frontier_complete && now - frontier_complete_ns >= kLateArrivalGraceNs) {
        drained_ = true;  // what is missing now is lost, not slow
        gaps_remain_ = true;
        break;
      }
      if (!interrupted_ && Interrupted(options_)) interrupted_ = true;
      sampler_->MaybeSample(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    StopConsumers();
    // The last step (or the running after a backlog's drain) keeps what arrived during the drain.
    const int64_t now = MonotonicNowNs();
    if (sampler_->phase_open()) ClosePhase();
    // Every worker thread has ended (drivers complete sends on the producer's thread): this last, partial
    // sample takes all they recorded since the previous one, so the intervals add up to the run's totals.
    sampler_->SampleLast(now);
  }

  // Results: merges the threads' histograms and reconciles the accounting.
  RunMetrics Collect() {
    RunMetrics& metrics = metrics_;
    metrics.closed_loop = workload_.rate.max;
    std::vector<const SendAccounting*> senders;
    int64_t last_activity_ns = producers_done_ns_;
    for (auto& p : producers_) {
      metrics.publish.corrected.Merge(p->publish.corrected);
      metrics.publish.uncorrected.Merge(p->publish.uncorrected);
      metrics.measured_sent += p->measured_sent;
      metrics.errors.Merge(p->errors);
      if (p->unsent_behind_schedule > 0) {
        metrics.errors.Add(ErrorPhase::kSchedule, StatusCode::kTimeout,
                           "behind schedule: messages never sent before the deadline",
                           p->unsent_behind_schedule);
      }
      senders.push_back(&p->accounting);
    }
    for (auto& c : consumers_) {
      metrics.e2e.corrected.Merge(c->e2e.corrected);
      metrics.e2e.uncorrected.Merge(c->e2e.uncorrected);
      metrics.measured_received += c->measured_received;
      metrics.measured_received_bytes += c->measured_received_bytes;
      last_activity_ns = std::max(last_activity_ns, c->last_receive_ns);
      metrics.errors.Merge(c->errors);
    }
    metrics.errors.Merge(client_events_.Take());
    ReconcileSubscriptions(senders, metrics);
    const int64_t window_end =
        std::min({shared_.clock.measure_end_ns, shared_.produce_until_ns.load(), last_activity_ns});
    metrics.measured_ns = std::max<int64_t>(0, window_end - shared_.clock.measure_start_ns);
    metrics.series = sampler_->TakeSeries();
    metrics.intervals = sampler_->TakeIntervals();
    // The intervals add up to the run's histograms: the publish delay needs no run-wide copy per producer.
    for (const IntervalHistograms& interval : metrics.intervals)
      metrics.publish_delay.Merge(interval.publish_delay.ToHistogram());
    metrics.partial = interrupted_;
    FinishBacklog();
    metrics.steps = std::move(steps_);
    if (find_max_) metrics.find_max = find_max_->Outcome();
    if (backlog_metrics_) metrics.backlog = std::move(backlog_metrics_);
    if (interrupted_) {
      metrics.end = RunEnd::kInterrupted;
    } else if (!drained_) {
      metrics.end = RunEnd::kDrainTimeout;
    } else if (gaps_remain_) {
      metrics.end = RunEnd::kCompletedWithGaps;
    } else if (workload_.messages) {
      metrics.end = RunEnd::kCompletedCap;
    } else {
      metrics.end = RunEnd::kCompleted;
    }
    return std::move(metrics);
  }

  // Accounting is exact per subscription: each is reconciled against everything sent, on its own (a
  // message its two consumers both got is duplicated; one another subscription got does not count).
  // The run's received, lost, duplicated and out_of_order are the sums over subscriptions. With fan-out
  // each subscription's own figures are kept too.
  void ReconcileSubscriptions(const std::vector<const SendAccounting*>& senders, RunMetrics& metrics) {
    if (consumers_.empty()) {
      metrics.accounting = Reconcile(senders, {});
      metrics.accounting.lost = 0;  // nobody consumed: nothing can be called lost
      return;
    }
    AccountingTotals& total = metrics.accounting;
    for (int sub = 0; sub < subscription_count_; ++sub) {
      SubscriptionMetrics own;
      own.index = sub;
      std::vector<ReceiveAccounting*> receivers;
      for (auto& c : consumers_) {
        if (c->subscription != sub) continue;
        receivers.push_back(&c->accounting);
        own.e2e.corrected.Merge(c->e2e.corrected);
        own.e2e.uncorrected.Merge(c->e2e.uncorrected);
        own.measured_received += c->measured_received;
      }
      own.accounting = Reconcile(senders, receivers);
      if (sub == 0) {
        total = own.accounting;
      } else {
        total.received += own.accounting.received;
        total.lost += own.accounting.lost;
        total.duplicated += own.accounting.duplicated;
        total.out_of_order += own.accounting.out_of_order;
        total.unparseable += own.accounting.unparseable;
      }
      if (subscription_count_ > 1) metrics.subscriptions.push_back(std::move(own));
    }
  }

  void StopConsumers() {
    client_events_.set_counting(false);  // members leaving the group now is the run's end, not news
    shared_.consumers_paused.store(false);
    shared_.stop_consuming.store(true);
    for (auto& t : consumer_threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  // A search or a backlog: the control thread decides when the load ends.
  bool adaptive() const { return workload_.rate.find_max.has_value() || workload_.backlog.has_value(); }
  double per_producer(double total_per_s) const { return total_per_s / producer_count_; }

  // The segments the producers follow, and the phase boundaries of steps and ramps. A search publishes
  // its steps as it goes (StepFindMax); everything else is published here, before the producers start.
  void PlanSchedule() {
    if (workload_.rate.max) return;
    const RateSpec& rate = workload_.rate;
    const int64_t start = shared_.clock.start_ns;
    const int64_t measure_start = shared_.clock.measure_start_ns;
    auto publish = [this](int64_t from_ns, int64_t to_ns, double from_rate, double to_rate) {
      (void)shared_.schedule.Publish(
          RateSegment{from_ns, to_ns, per_producer(from_rate), per_producer(to_rate)});
    };
    if (workload_.backlog) {
      publish(start, RateSegment::kOpenEnd, rate.msgs_per_s, rate.msgs_per_s);
      shared_.schedule.Close();
      backlog_phase_ = BacklogPhase::kWarmup;
      return;
    }
    if (rate.find_max) {
      if (measure_start > start) publish(start, measure_start, rate.msgs_per_s, rate.msgs_per_s);
      find_max_.emplace(*rate.find_max, !consumers_.empty());
      next_search_step_ns_ = measure_start;
      return;
    }
    if (!rate.steps.empty() || rate.ramp) {
      const double first = rate.steps.empty() ? rate.ramp->from_msgs_per_s : rate.steps.front().msgs_per_s;
      if (measure_start > start) publish(start, measure_start, first, first);
      int64_t t = measure_start;
      for (const RateStep& step : rate.steps) {
        publish(t, t + step.duration_ns, step.msgs_per_s, step.msgs_per_s);
        phase_plan_.push_back({t, step.msgs_per_s, static_cast<int>(shared_.schedule.published()) - 1});
        t += step.duration_ns;
      }
      if (rate.ramp) {
        // Pieces of about a tenth of the ramp (whole seconds, at least one), each summarized as a step.
        const RampSpec& ramp = *rate.ramp;
        const int64_t pieces = std::clamp<int64_t>(ramp.over_ns / kSecondNs, 1, kRampPieces);
        for (int64_t k = 0; k < pieces; ++k) {
          const int64_t from_ns = measure_start + ramp.over_ns * k / pieces;
          const int64_t to_ns = measure_start + ramp.over_ns * (k + 1) / pieces;
          auto rate_at = [&](int64_t ns) {
            return ramp.from_msgs_per_s + (ramp.to_msgs_per_s - ramp.from_msgs_per_s) *
                                              static_cast<double>(ns - measure_start) /
                                              static_cast<double>(ramp.over_ns);
          };
          publish(from_ns, to_ns, rate_at(from_ns), rate_at(to_ns));
          phase_plan_.push_back({from_ns, (rate_at(from_ns) + rate_at(to_ns)) / 2,
                                 static_cast<int>(shared_.schedule.published()) - 1});
        }
      }
      shared_.schedule.Close();
      return;
    }
    publish(start, shared_.clock.measure_end_ns, rate.msgs_per_s, rate.msgs_per_s);
    shared_.schedule.Close();
  }

  // Called by the control thread every tick while producers run: opens and closes phases.
  void StepPhases(int64_t now) {
    if (!phase_plan_.empty()) {
      while (next_phase_ < phase_plan_.size() && now >= phase_plan_[next_phase_].start_ns) {
        if (sampler_->phase_open()) ClosePhase();
        sampler_->BeginPhase(now, phase_plan_[next_phase_].rate_target, phase_plan_[next_phase_].segment);
        ++next_phase_;
      }
      if (now >= shared_.clock.measure_end_ns) sampler_->MarkSendingEnd();
    }
    if (find_max_) StepFindMax(now);
    if (backlog_phase_ != BacklogPhase::kNone) StepBacklog(now);
  }

  void ClosePhase() {
    StepMetrics step = sampler_->EndPhase();
    if (backlog_phase_ != BacklogPhase::kNone) {
      // Backlog phases are reported in metrics.backlog, not as steps.
      backlog_closed_.push_back(std::move(step));
      return;
    }
    if (find_max_) {
      find_max_->Judge(step);
    } else {
      // Steps and ramp pieces: sustained, as a fixed-rate run's verdict would say.
      const double floor = step.rate_target * kStepSustainShare;
      if (step.sent_per_s < floor || (!consumers_.empty() && step.received_per_s < floor)) {
        step.met = false;
        step.why =
            step.sent_per_s < floor ? "sent below 90% of the target" : "received below 90% of the target";
      }
    }
    steps_.push_back(std::move(step));
  }

  // find_max: run a step, let it settle (consumers catch up, nothing sent), judge it, publish the next.
  void StepFindMax(int64_t now) {
    FindMaxSearch& search = *find_max_;
    if (search_step_open_) {
      if (now < search_step_end_ns_) return;
      sampler_->MarkSendingEnd();
      const Sampler::Counters c = sampler_->ReadCounters();
      // Settled: every producer sent (or gave up) all the step intended, and consumers received it.
      const size_t published = shared_.schedule.published();
      const bool producers_caught_up = std::all_of(
          producers_.begin(), producers_.end(),
          [published](auto& p) { return p->segments_passed.load() >= published || p->done.load(); });
      const bool settled = producers_caught_up && (c.distinct_received >= c.sent || consumers_.empty());
      if (!settled && now < search_step_end_ns_ + workload_.rate.find_max->settle_timeout_ns()) return;
      ClosePhase();
      search_step_open_ = false;
      if (!search.done() && shared_.schedule.published() >= ScheduleBoard::kCapacity)
        search.Stop("schedule full");
      if (search.done()) {
        shared_.produce_until_ns.store(now);
        shared_.send_deadline_ns.store(now + workload_.drain_timeout_ns / 2);
        shared_.schedule.Close();
        return;
      }
      next_search_step_ns_ = now + kSearchStepGapNs;
    }
    if (search.done() || now + kSearchStepGapNs / 2 < next_search_step_ns_) return;
    // Publish the next step a little ahead so that every producer is waiting for it when it starts.
    const int64_t start = std::max(next_search_step_ns_, now + kSearchStepGapNs / 2);
    const int64_t end = start + workload_.rate.find_max->step_duration_ns;
    const double rate = search.next_rate();
    if (!shared_.schedule.Publish(RateSegment{start, end, per_producer(rate), per_producer(rate)})) {
      search.Stop("schedule full");
      return;
    }
    while (MonotonicNowNs() < start) std::this_thread::sleep_for(std::chrono::microseconds(200));
    sampler_->BeginPhase(start, rate, static_cast<int>(shared_.schedule.published()) - 1);
    search_step_open_ = true;
    search_step_end_ns_ = end;
  }

  // backlog: warm-up (consumers run) -> build (consumers paused) -> drain (resumed) -> running for
  // `duration` -> end.
  void StepBacklog(int64_t now) {
    const BacklogSpec& spec = *workload_.backlog;
    const Sampler::Counters c = sampler_->ReadCounters();
    switch (backlog_phase_) {
      case BacklogPhase::kNone:
        return;
      case BacklogPhase::kWarmup:
        if (now < shared_.clock.measure_start_ns) return;
        shared_.consumers_paused.store(true);
        sampler_->BeginPhase(now, workload_.rate.msgs_per_s);
        backlog_phase_ = BacklogPhase::kBuild;
        build_deadline_ns_ =
            now + static_cast<int64_t>(2e9 * static_cast<double>(spec.messages) / workload_.rate.msgs_per_s) +
            10 * kSecondNs;
        return;
      case BacklogPhase::kBuild: {
        const bool built = c.backlog() >= spec.messages;
        if (!built && now < build_deadline_ns_) return;
        ClosePhase();
        backlog_metrics_.emplace();
        backlog_metrics_->target_messages = spec.messages;
        backlog_metrics_->messages = static_cast<uint64_t>(std::max<int64_t>(0, c.backlog()));
        backlog_metrics_->bytes = backlog_metrics_->messages * static_cast<uint64_t>(MeanMessageBytes());
        backlog_metrics_->build_s = backlog_closed_.back().duration_s;
        // Drained when the messages sent before the drain (intended before now) arrived, less what the
        // drain ratio lets remain.
        drain_target_received_ =
            static_cast<int64_t>(c.sent) -
            static_cast<int64_t>((1.0 - spec.drain_ratio) * static_cast<double>(spec.messages));
        // After the counters were read: every message they count was intended before the mark.
        shared_.drain_mark_ns.store(MonotonicNowNs());
        shared_.consumers_paused.store(false);
        sampler_->BeginPhase(now, workload_.rate.msgs_per_s);
        drain_deadline_ns_ = now + spec.max_drain_ns;
        backlog_phase_ = BacklogPhase::kDrain;
        return;
      }
      case BacklogPhase::kDrain: {
        const bool drained =
            static_cast<int64_t>(shared_.SlowestReceivedBeforeMark()) >= drain_target_received_;
        if (!drained && now < drain_deadline_ns_) return;
        ClosePhase();
        const StepMetrics& drain = backlog_closed_.back();
        BacklogMetrics& b = *backlog_metrics_;
        b.drained = drained;
        b.drain_s = drain.duration_s;
        b.drain_read_per_s = drain.received_per_s;
        b.producer_rate_during_drain = drain.sent_per_s;
        b.publish_during_drain = drain.publish;
        b.e2e_during_drain = drain.e2e;
        sampler_->BeginPhase(now, workload_.rate.msgs_per_s);
        const int64_t end = now + workload_.duration_ns;
        shared_.produce_until_ns.store(end);
        shared_.send_deadline_ns.store(end + workload_.drain_timeout_ns / 2);
        backlog_phase_ = BacklogPhase::kAfterDrain;
        return;
      }
      case BacklogPhase::kAfterDrain:
        if (now >= shared_.produce_until_ns.load()) sampler_->MarkSendingEnd();
        return;
    }
  }

  int64_t MeanMessageBytes() const {
    const MessageSizeSpec& ms = workload_.message_size;
    if (ms.distribution == MessageSizeSpec::Distribution::kFixed) return ms.fixed_bytes;
    if (ms.distribution == MessageSizeSpec::Distribution::kNormal) return ms.mean_bytes;
    return (ms.min_bytes + ms.max_bytes) / 2;
  }

  // After the drain ends: the running after the backlog's drain is the last closed backlog phase.
  void FinishBacklog() {
    if (!backlog_metrics_ || backlog_closed_.size() < 3) return;
    backlog_metrics_->e2e_after_drain = backlog_closed_[2].e2e;
  }

  struct PlannedPhase {
    int64_t start_ns = 0;
    double rate_target = 0;
    int segment = -1;  // its schedule segment
  };
  enum class BacklogPhase { kNone, kWarmup, kBuild, kDrain, kAfterDrain };

  Session& session_;
  const WorkloadSpec& workload_;
  const RunnerOptions& options_;
  const int streams_;
  const int producer_count_;
  const int subscription_count_;
  SharedState shared_;
  ClientEventRecorder client_events_;  // outlives the clients below, which report into it
  std::vector<std::unique_ptr<ProducerWorker>> producers_;
  std::vector<std::unique_ptr<ConsumerWorker>> consumers_;
  std::vector<std::thread> consumer_threads_;
  std::vector<std::thread> producer_threads_;
  std::vector<int> generator_cpus_;
  std::unique_ptr<Sampler> sampler_;
  RunMetrics metrics_;
  int64_t start_ns_ = 0;
  int64_t producers_done_ns_ = 0;
  bool interrupted_ = false;
  bool drained_ = false;
  bool gaps_remain_ = false;              // drained although some messages never arrived
  std::vector<PlannedPhase> phase_plan_;  // steps and ramp pieces, in order
  size_t next_phase_ = 0;
  std::vector<StepMetrics> steps_;
  std::optional<FindMaxSearch> find_max_;
  bool search_step_open_ = false;
  int64_t search_step_end_ns_ = 0;
  int64_t next_search_step_ns_ = 0;
  BacklogPhase backlog_phase_ = BacklogPhase::kNone;
  std::vector<StepMetrics> backlog_closed_;  // build, drain, after the drain
  std::optional<BacklogMetrics> backlog_metrics_;
  int64_t build_deadline_ns_ = 0;
  int64_t drain_deadline_ns_ = 0;
  int64_t drain_target_received_ = 0;
};

}  // namespace

Result<RunMetrics> RunWorkload(Session& session, const WorkloadSpec& workload, const RunnerOptions& options) {
  WorkloadRun run(session, workload, options);
  BAKEOFF_RETURN_IF_ERROR(run.CreateWorkers());
  BAKEOFF_RETURN_IF_ERROR(run.StartConsumersAndWaitReady());
  BAKEOFF_RETURN_IF_ERROR(run.CreateProducers());
  run.StartProducers();
  run.Produce();
  run.Drain();
  return run.Collect();
}

}  // namespace bakeoff
