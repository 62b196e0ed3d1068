#include "workload/sampler.h"

#include <algorithm>
#include <mutex>

#include "measure/clock.h"

namespace bakeoff::internal {
namespace {
constexpr int64_t kSecondNs = 1'000'000'000;
}  // namespace

void IntervalParts::Merge(const IntervalParts& o) {
  e2e.Merge(o.e2e);
  publish.Merge(o.publish);
  e2e_uncorrected.Merge(o.e2e_uncorrected);
  publish_uncorrected.Merge(o.publish_uncorrected);
  publish_delay.Merge(o.publish_delay);
}

void IntervalParts::Reset() {
  for (Histogram* h : {&e2e, &publish, &e2e_uncorrected, &publish_uncorrected, &publish_delay}) h->Reset();
}

void IntervalParts::FillSparse(IntervalHistograms& out) const {
  out.e2e_corrected = SparseHistogram(e2e);
  out.publish_corrected = SparseHistogram(publish);
  out.e2e_uncorrected = SparseHistogram(e2e_uncorrected);
  out.publish_uncorrected = SparseHistogram(publish_uncorrected);
  out.publish_delay = SparseHistogram(publish_delay);
}

void IntervalParts::AddSparse(const IntervalHistograms& in) {
  e2e.Merge(in.e2e_corrected.ToHistogram());
  publish.Merge(in.publish_corrected.ToHistogram());
  e2e_uncorrected.Merge(in.e2e_uncorrected.ToHistogram());
  publish_uncorrected.Merge(in.publish_uncorrected.ToHistogram());
  publish_delay.Merge(in.publish_delay.ToHistogram());
}

Sampler::Sampler(const RunnerOptions& options, const WorkloadSpec& workload, const SharedState& shared,
                 std::vector<std::unique_ptr<ProducerWorker>>& producers,
                 std::vector<std::unique_ptr<ConsumerWorker>>& consumers)
    : options_(options), workload_(workload), shared_(shared), producers_(producers), consumers_(consumers) {
  next_sample_ns_ = shared.clock.start_ns + kSecondNs;
}

void Sampler::MaybeSample(int64_t now) {
  if (now < next_sample_ns_) return;
  Sample(now, /*last=*/false);
  next_sample_ns_ += kSecondNs;
  if (next_sample_ns_ <= now) next_sample_ns_ = now + kSecondNs;
}

void Sampler::BeginPhase(int64_t now, double rate_target, int segment) {
  Collect();
  phase_open_ = true;
  phase_ = StepMetrics();
  // Workers record only inside the measured window, so what was recorded while no phase was open
  // (the control thread opens one a little after its boundary) belongs to this one.
  phase_.e2e.Merge(unphased_e2e_);
  phase_.publish.Merge(unphased_publish_);
  unphased_e2e_.Reset();
  unphased_publish_.Reset();
  phase_.rate_target = rate_target;
  phase_segment_ = segment;
  const int64_t nominal_start = segment >= 0 ? shared_.schedule.at(segment).start_ns : now;
  phase_.start_s = static_cast<double>(nominal_start - shared_.clock.start_ns) / 1e9;
  phase_start_ = ReadCounters();
  phase_sending_end_.reset();
}

void Sampler::MarkSendingEnd() {
  if (!phase_open_ || phase_sending_end_) return;
  phase_sending_end_ = ReadCounters();
}

StepMetrics Sampler::EndPhase() {
  MarkSendingEnd();
  Collect();
  phase_open_ = false;
  const Counters& start = phase_start_;
  const Counters& end = *phase_sending_end_;
  StepMetrics step = std::move(phase_);
  const double observed_s = static_cast<double>(end.at_ns - start.at_ns) / 1e9;
  if (phase_segment_ >= 0) {
    step.duration_s = shared_.schedule.at(phase_segment_).length_s();
    step.sent = 0;
    for (auto& p : producers_) step.sent += p->on_time_sent(static_cast<size_t>(phase_segment_));
  } else {
    step.duration_s = observed_s;
    step.sent = end.sent - start.sent;
  }
  step.received = end.distinct_received - start.distinct_received;
  if (step.duration_s > 0) step.sent_per_s = static_cast<double>(step.sent) / step.duration_s;
  if (observed_s > 0) step.received_per_s = static_cast<double>(step.received) / observed_s;
  step.backlog_growth = end.backlog() - start.backlog();
  return step;
}

Sampler::Counters Sampler::ReadCounters() const {
  Counters c;
  for (auto& p : producers_) {
    c.sent += p->sent.load();
    c.acked += p->acked.load();
    c.send_errors += p->send_errors.load();
  }
  for (auto& consumer : consumers_) {
    c.received += consumer->received.load();
    c.received_bytes += consumer->received_bytes.load();
  }
  c.distinct_received = shared_.SlowestDistinctReceived();
  c.at_ns = MonotonicNowNs();
  return c;
}

void Sampler::Sample(int64_t now, bool last) {
  SecondSample s;
  s.t_s = static_cast<double>(now - shared_.clock.start_ns) / 1e9;
  // A sample is marked warm-up when any part of its second lies in the warm-up.
  s.warmup = last_sample_ns() < shared_.clock.measure_start_ns;
  Collect();
  const Counters counters = ReadCounters();
  const uint64_t sent = counters.sent, acked = counters.acked, errors = counters.send_errors;
  const uint64_t received = counters.received, bytes = counters.received_bytes;
  const IntervalParts parts = std::move(second_);
  second_ = IntervalParts();
  const Histogram& publish = parts.publish;
  const Histogram& e2e = parts.e2e;
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
  last_ = {
      .sent = sent, .acked = acked, .received = received, .received_bytes = bytes, .send_errors = errors};
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
void Sampler::KeepInterval(int64_t now, const IntervalParts& parts, bool last) {
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

// Takes what the workers recorded since the last call into this second's and the open phase's
// histograms.
void Sampler::Collect() {
  for (auto& p : producers_) {
    std::lock_guard<std::mutex> lock(p->interval_mutex);
    second_.publish.Merge(p->interval_publish);
    second_.publish_uncorrected.Merge(p->interval_publish_uncorrected);
    second_.publish_delay.Merge(p->interval_publish_delay);
    (phase_open_ ? phase_.publish : unphased_publish_).Merge(p->interval_publish);
    p->interval_publish.Reset();
    p->interval_publish_uncorrected.Reset();
    p->interval_publish_delay.Reset();
  }
  for (auto& c : consumers_) {
    std::lock_guard<std::mutex> lock(c->interval_mutex);
    second_.e2e.Merge(c->interval_e2e);
    second_.e2e_uncorrected.Merge(c->interval_e2e_uncorrected);
    (phase_open_ ? phase_.e2e : unphased_e2e_).Merge(c->interval_e2e);
    c->interval_e2e.Reset();
    c->interval_e2e_uncorrected.Reset();
  }
}

}  // namespace bakeoff::internal
