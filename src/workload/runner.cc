#include "workload/runner.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include "spec/cpu_list.h"
#include "measure/clock.h"
#include "workload/workers.h"

namespace bakeoff {
namespace {

using internal::ConsumerWorker;
using internal::ProducerWorker;
using internal::SharedState;

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kStartDelayNs = 50'000'000;      // lets every thread reach its loop before start
constexpr int64_t kInterruptedDrainNs = 2'000'000'000;
constexpr auto kControlTick = std::chrono::milliseconds(20);
constexpr auto kBacklogTick = std::chrono::milliseconds(2);
// After the last message of every stream arrived, how long stragglers (reordered messages) may still come.
constexpr int64_t kLateArrivalGraceNs = 1'000'000'000;


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

// The histograms of one sampled interval, as the workers recorded them since the last sample.
struct IntervalParts {
  Histogram e2e;  // corrected
  Histogram publish;
  Histogram e2e_uncorrected;
  Histogram publish_uncorrected;
  Histogram publish_delay;

  void Merge(const IntervalParts& o) {
    e2e.Merge(o.e2e);
    publish.Merge(o.publish);
    e2e_uncorrected.Merge(o.e2e_uncorrected);
    publish_uncorrected.Merge(o.publish_uncorrected);
    publish_delay.Merge(o.publish_delay);
  }
  void Reset() {
    for (Histogram* h : {&e2e, &publish, &e2e_uncorrected, &publish_uncorrected, &publish_delay}) h->Reset();
  }
  bool empty() const { return e2e.total_count() == 0 && publish.total_count() == 0; }
  void FillSparse(IntervalHistograms& out) const {
    out.e2e_corrected = SparseHistogram(e2e);
    out.publish_corrected = SparseHistogram(publish);
    out.e2e_uncorrected = SparseHistogram(e2e_uncorrected);
    out.publish_uncorrected = SparseHistogram(publish_uncorrected);
    out.publish_delay = SparseHistogram(publish_delay);
  }
  void AddSparse(const IntervalHistograms& in) {
    e2e.Merge(in.e2e_corrected.ToHistogram());
    publish.Merge(in.publish_corrected.ToHistogram());
    e2e_uncorrected.Merge(in.e2e_uncorrected.ToHistogram());
    publish_uncorrected.Merge(in.publish_uncorrected.ToHistogram());
    publish_delay.Merge(in.publish_delay.ToHistogram());
  }
};

bool Interrupted(const RunnerOptions& options) {
  return options.interrupted != nullptr && options.interrupted->load();
}

// Samples counters and per-second histograms once per second and reports progress.
class Sampler {
 public:
  Sampler(const RunnerOptions& options, const WorkloadSpec& workload, const SharedState& shared,
          std::vector<std::unique_ptr<ProducerWorker>>& producers,
          std::vector<std::unique_ptr<ConsumerWorker>>& consumers)
      : options_(options), workload_(workload), shared_(shared), producers_(producers), consumers_(consumers) {
    next_sample_ns_ = shared.clock.start_ns + kSecondNs;
  }

  void MaybeSample(int64_t now) {
    if (now < next_sample_ns_) return;
    Sample(now, /*last=*/false);
    next_sample_ns_ += kSecondNs;
    if (next_sample_ns_ <= now) next_sample_ns_ = now + kSecondNs;
  }

  // The final, partial sample, once no worker records any more.
  void SampleLast(int64_t now) { Sample(now, /*last=*/true); }

  std::vector<SecondSample> TakeSeries() { return std::move(series_); }
  std::vector<IntervalHistograms> TakeIntervals() { return std::move(intervals_); }

 private:
  // Intervals shorter than this (e.g. the sample just after a warm-up of whole seconds, or a drain that
  // ended just after a sample) are joined to a neighbour rather than written on their own.
  static constexpr int64_t kMinIntervalNs = 100'000'000;

  void Sample(int64_t now, bool last) {
    SecondSample s;
    s.t_s = static_cast<double>(now - shared_.clock.start_ns) / 1e9;
    // A sample is marked warm-up when any part of its second lies in the warm-up.
    s.warmup = last_sample_ns() < shared_.clock.measure_start_ns;
    uint64_t sent = 0, acked = 0, errors = 0, received = 0, bytes = 0;
    IntervalParts parts;
    const Histogram& publish = parts.publish;
    const Histogram& e2e = parts.e2e;
    for (auto& p : producers_) {
      sent += p->sent.load();
      acked += p->acked.load();
      errors += p->send_errors.load();
      std::lock_guard<std::mutex> lock(p->interval_mutex);
      parts.publish.Merge(p->interval_publish);
      parts.publish_uncorrected.Merge(p->interval_publish_uncorrected);
      parts.publish_delay.Merge(p->interval_publish_delay);
      p->interval_publish.Reset();
      p->interval_publish_uncorrected.Reset();
      p->interval_publish_delay.Reset();
    }
    for (auto& c : consumers_) {
      received += c->received.load();
      bytes += c->received_bytes.load();
      std::lock_guard<std::mutex> lock(c->interval_mutex);
      parts.e2e.Merge(c->interval_e2e);
      parts.e2e_uncorrected.Merge(c->interval_e2e_uncorrected);
      c->interval_e2e.Reset();
      c->interval_e2e_uncorrected.Reset();
    }
    s.sent = sent - last_.sent;
    s.acked = acked - last_.acked;
    s.send_errors = errors - last_.send_errors;
    s.received = received - last_.received;
    s.received_bytes = bytes - last_.received_bytes;
    s.e2e_p50_ns = e2e.ValueAtPercentile(50);
    s.e2e_p99_ns = e2e.ValueAtPercentile(99);
    s.e2e_max_ns = e2e.max();
    s.publish_p99_ns = publish.ValueAtPercentile(99);
    KeepInterval(now, parts, last);
    last_ = {.sent = sent, .acked = acked, .received = received, .received_bytes = bytes, .send_errors = errors};
    const double seconds = static_cast<double>(now - last_sample_ns()) / 1e9;
    last_sample_ns_ = now;
    series_.push_back(s);
    if (options_.on_progress) {
      ProgressLine line;
      line.system = options_.system_name;
      line.elapsed_s = s.t_s;
      line.total_s = static_cast<double>(workload_.warmup_ns + workload_.duration_ns) / 1e9;
      line.warmup = s.warmup;
      line.drain = !s.warmup && s.t_s > line.total_s + 0.001;
      line.sent_per_s = seconds > 0 ? static_cast<double>(s.sent) / seconds : 0;
      line.received_per_s = seconds > 0 ? static_cast<double>(s.received) / seconds : 0;
      line.e2e_p99_ns = s.e2e_p99_ns;
      line.errors = errors;
      options_.on_progress(line);
    }
  }

  // Keeps the sample's histograms as part of an interval of the measured window. The workers record
  // only messages intended inside the window, at or after their intended time, so samples that end
  // before the window starts are empty and dropped, and the first interval begins when the window
  // does. Each interval begins where the previous one ended; recordings made between `now` and the
  // merge belong to this sample, so none is dropped or counted twice.
  void KeepInterval(int64_t now, const IntervalParts& parts, bool last) {
    const auto& clock = shared_.clock;
    pending_.Merge(parts);
    if (now <= clock.measure_start_ns && pending_.empty()) return;
    const int64_t begin = intervals_.empty()
                              ? clock.measure_start_ns
                              : clock.start_ns + intervals_.back().start_ns + intervals_.back().length_ns;
    const bool too_short = now - begin < kMinIntervalNs;
    if (too_short && !last) return;  // carried into the next sample's interval
    if (too_short && !intervals_.empty()) {
      IntervalHistograms& previous = intervals_.back();
      pending_.AddSparse(previous);
      previous.length_ns = now - (clock.start_ns + previous.start_ns);
      pending_.FillSparse(previous);
    } else {
      IntervalHistograms interval{.start_ns = begin - clock.start_ns,
                                  .length_ns = std::max<int64_t>(0, now - begin)};
      pending_.FillSparse(interval);
      intervals_.push_back(std::move(interval));
    }
    pending_.Reset();
  }

  int64_t last_sample_ns() const { return last_sample_ns_ ? last_sample_ns_ : shared_.clock.start_ns; }

  const RunnerOptions& options_;
  const WorkloadSpec& workload_;
  const SharedState& shared_;
  std::vector<std::unique_ptr<ProducerWorker>>& producers_;
  std::vector<std::unique_ptr<ConsumerWorker>>& consumers_;
  int64_t next_sample_ns_ = 0;
  int64_t last_sample_ns_ = 0;
  SecondSample last_;
  std::vector<SecondSample> series_;
  std::vector<IntervalHistograms> intervals_;
  IntervalParts pending_;  // recorded since the end of the last interval, not yet in one
};

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

  ~WorkloadRun() { StopConsumers(); }
  WorkloadRun(const WorkloadRun&) = delete;
  WorkloadRun& operator=(const WorkloadRun&) = delete;

  // Consumer clients and both kinds of worker; producers' driver clients come later (CreateProducers).
  Status CreateWorkers() {
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
      // The worker is the completion sink, so it exists before its driver producer.
      producers_.push_back(
          std::make_unique<ProducerWorker>(p, streams_, workload_, shared_, std::move(payload).value()));
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
      if (all_ready) return Status::Ok();
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
    shared_.clock.send_deadline_ns = shared_.clock.measure_end_ns + workload_.drain_timeout_ns / 2;
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
        shared_.backlog_full.store(sent > frontier && sent - frontier > backlog_limit, std::memory_order_relaxed);
      }
      sampler_->MaybeSample(MonotonicNowNs());
      std::this_thread::sleep_for(backlog_limit > 0 ? kBacklogTick : kControlTick);
    }
    for (auto& t : producer_threads_) t.join();
    producers_done_ns_ = MonotonicNowNs();
  }

  // Phase 2: consumers may catch up until every message that was not reported failed arrived, the
  // drain timeout passes, or every stream's last message arrived and stragglers had their grace.
  void Drain() {
    uint64_t expected = 0;
    for (auto& p : producers_) {
      for (const StreamSendRecord& r : p->accounting.records()) expected += r.sent - std::min(r.sent, r.failed.size());
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
    // Every worker thread has ended (drivers complete sends on the producer's thread): this last, partial
    // sample takes all they recorded since the previous one, so the intervals add up to the run's totals.
    sampler_->SampleLast(MonotonicNowNs());
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
                           "behind schedule: messages never sent before the deadline", p->unsent_behind_schedule);
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
    ReconcileSubscriptions(senders, metrics);
    const int64_t window_end = std::min(shared_.clock.measure_end_ns, last_activity_ns);
    metrics.measured_ns = std::max<int64_t>(0, window_end - shared_.clock.measure_start_ns);
    metrics.series = sampler_->TakeSeries();
    metrics.intervals = sampler_->TakeIntervals();
    // The intervals add up to the run's histograms: the publish delay needs no run-wide copy per producer.
    for (const IntervalHistograms& interval : metrics.intervals)
      metrics.publish_delay.Merge(interval.publish_delay.ToHistogram());
    metrics.partial = interrupted_;
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
    shared_.stop_consuming.store(true);
    for (auto& t : consumer_threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  Session& session_;
  const WorkloadSpec& workload_;
  const RunnerOptions& options_;
  const int streams_;
  const int producer_count_;
  const int subscription_count_;
  SharedState shared_;
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
  bool gaps_remain_ = false;  // drained although some messages never arrived
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
