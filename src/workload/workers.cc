#include "workload/workers.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "base/cpu_relax.h"
#include "measure/clock.h"
#include "measure/message_header.h"

namespace bakeoff::internal {
namespace {

constexpr int64_t kPollEverySends = 64;
constexpr int64_t kQueueFullBackoffNs = 100'000;

}  // namespace

ProducerWorker::ProducerWorker(int index, int streams, const WorkloadSpec& workload, SharedState& shared,
                               PayloadGenerator payload, uint32_t first_stream, uint32_t stream_count)
    : accounting(streams),
      index_(index),
      workload_(workload),
      shared_(shared),
      payload_(std::move(payload)),
      keys_(workload.keys, static_cast<int>(stream_count), 0x5eed0000ULL + static_cast<uint64_t>(index)),
      first_stream_(first_stream),
      scratch_(payload_.max_bytes()) {}

void ProducerWorker::Run(int64_t flush_timeout_ns) {
  const RunClock& clock = shared_.clock;
  const ScheduleBoard& schedule = shared_.schedule;
  const bool closed_loop = workload_.rate.max;
  uint64_t cap = UINT64_MAX;
  if (workload_.messages) {
    const uint64_t total = static_cast<uint64_t>(*workload_.messages);
    const uint64_t producers = static_cast<uint64_t>(std::max(1, workload_.producers));
    cap = total / producers + (static_cast<uint64_t>(index_) < total % producers ? 1 : 0);
  }

  // Open loop: message i is intended where the schedule's segments put it (rate_schedule.h).
  SegmentCursor cursor;
  size_t segment = 0;
  uint64_t i = 0;
  while (i < cap && !shared_.stop_producing.load(std::memory_order_relaxed)) {
    const int64_t now = MonotonicNowNs();
    int64_t intended = now;
    if (!closed_loop) {
      if (segment >= schedule.published()) {
        if (schedule.closed()) break;
        producer_->Poll(std::chrono::milliseconds(1));  // between search steps: the next is not decided yet
        continue;
      }
      const RateSegment& current = schedule.at(segment);
      intended = cursor.IntendedNs(current, i);
      if (intended == SegmentCursor::kPastEnd) {
        cursor.Advance(current);
        ++segment;
        segments_passed.store(segment, std::memory_order_relaxed);
        continue;
      }
      segment_ = segment;
      segment_end_ns_ = current.end_ns;
      if (intended >= shared_.produce_until_ns.load(std::memory_order_relaxed)) break;
      if (now >= shared_.send_deadline_ns.load(std::memory_order_relaxed)) break;
      if (intended > now) {
        // Ahead of schedule: serve completions while waiting, then spin the last stretch.
        const int64_t wait = intended - now;
        if (wait > 2'000'000) {
          producer_->Poll(std::chrono::nanoseconds(std::min<int64_t>(wait - 1'000'000, 50'000'000)));
          continue;
        }
        producer_->Poll(std::chrono::nanoseconds(0));
        if (wait > 200'000) {
          std::this_thread::sleep_for(std::chrono::nanoseconds(wait - 100'000));
        } else {
          CpuRelax();
        }
        continue;
      }
    } else if (now >= clock.measure_end_ns) {
      break;
    } else if ((i % kPollEverySends) == 0 && shared_.backlog_full.load(std::memory_order_relaxed)) {
      // Closed loop: wait for consumers rather than fill the system's buffers (see max_backlog).
      producer_->Poll(std::chrono::microseconds(100));
      continue;
    }
    SendOne(i, intended);
    ++i;
    if ((i % kPollEverySends) == 0) producer_->Poll(std::chrono::nanoseconds(0));
  }
  if (!closed_loop && cap == UINT64_MAX && !shared_.stop_producing.load()) {
    // Messages the schedule wanted before the end that a slow client never got to send.
    const int64_t until = shared_.produce_until_ns.load();
    double total_due = 0;
    for (size_t s = 0; s < schedule.published(); ++s) total_due += schedule.at(s).CountBefore(until);
    const uint64_t due = static_cast<uint64_t>(std::ceil(total_due));
    if (due > i) unsent_behind_schedule = due - i;
  }
  finished_ns = MonotonicNowNs();
  const Status flushed = producer_->Flush(std::chrono::nanoseconds(flush_timeout_ns));
  if (!flushed.ok()) errors.Add(ErrorPhase::kFlush, flushed);
  done.store(true);
}

void ProducerWorker::SendOne(uint64_t index, int64_t intended_ns) {
  const size_t size = payload_.NextSize();
  KeyChooser::Choice choice = keys_.Next(index);
  choice.stream += first_stream_;
  StreamSendRecord& record = accounting.stream(choice.stream);
  std::span<std::byte> body(scratch_.data(), size);
  payload_.FillBody(body, kHeaderBytes);

  OutMessage message;
  message.stream = choice.stream;
  message.key = choice.key;
  message.payload = body;
  message.ticket = {choice.stream, static_cast<uint32_t>(index_), record.sent, intended_ns, 0};
  while (true) {
    const int64_t sent_ns =
        workload_.rate.max && message.ticket.sent_ns == 0 ? intended_ns : MonotonicNowNs();
    message.ticket.sent_ns = sent_ns;
    EncodeHeader({static_cast<uint32_t>(index_), record.sent, intended_ns, sent_ns}, body.data());
    const Status st = producer_->Send(message);
    if (st.ok()) break;
    if (st.code() == StatusCode::kQueueFull) {
      // Back-pressure: serve completions and retry; the wait counts in corrected latency.
      producer_->Poll(std::chrono::nanoseconds(kQueueFullBackoffNs));
      if (shared_.stop_producing.load(std::memory_order_relaxed) ||
          MonotonicNowNs() >= shared_.send_deadline_ns.load(std::memory_order_relaxed)) {
        return;  // never handed to the client: not sent
      }
      continue;
    }
    // The client refused the message outright: it is sent and failed.
    ++record.sent;
    record.failed.Insert(message.ticket.seq);
    send_errors.fetch_add(1, std::memory_order_relaxed);
    sent.fetch_add(1, std::memory_order_relaxed);
    errors.Add(ErrorPhase::kSend, st);
    return;
  }
  ++record.sent;
  if (shared_.clock.InWindow(message.ticket.sent_ns)) ++measured_sent;
  if (message.ticket.sent_ns < segment_end_ns_ && segment_ < ScheduleBoard::kCapacity) {
    std::atomic<uint64_t>& on_time = on_time_sent_[segment_];
    on_time.store(on_time.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // single writer
  }
  // Single writer: a plain store is enough for the control thread's relaxed reads.
  sent.store(sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void ProducerWorker::OnAcked(std::span<const SendTicket> tickets) {
  const int64_t now = MonotonicNowNs();
  const RunClock& clock = shared_.clock;
  std::lock_guard<std::mutex> lock(interval_mutex);
  for (const SendTicket& t : tickets) {
    if (t.stream < accounting.records().size()) ++accounting.stream(t.stream).acked;
    if (!clock.InWindow(t.intended_ns)) continue;
    publish.corrected.Record(now - t.intended_ns);
    publish.uncorrected.Record(now - t.sent_ns);
    interval_publish.Record(now - t.intended_ns);
    interval_publish_uncorrected.Record(now - t.sent_ns);
    interval_publish_delay.Record(t.sent_ns - t.intended_ns);
  }
  acked.fetch_add(tickets.size(), std::memory_order_relaxed);
}

void ProducerWorker::OnFailed(const SendTicket& t, const Status& why) {
  if (t.stream < accounting.records().size()) accounting.stream(t.stream).failed.Insert(t.seq);
  send_errors.fetch_add(1, std::memory_order_relaxed);
  errors.Add(ErrorPhase::kSend, why);
}

ConsumerWorker::ConsumerWorker(int subscription_index, int producers, int streams, SharedState& shared,
                               std::unique_ptr<Consumer> consumer)
    : subscription(subscription_index),
      accounting(producers, streams),
      shared_(shared),
      consumer_(std::move(consumer)) {}

void ConsumerWorker::Run() {
  while (!shared_.stop_consuming.load(std::memory_order_relaxed)) {
    if (shared_.consumers_paused.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // backlog build: the system holds it
      continue;
    }
    const Status st = consumer_->Poll(std::chrono::milliseconds(10), *this);
    if (!ready.load(std::memory_order_relaxed) && consumer_->Ready()) ready.store(true);
    if (!st.ok()) {
      errors.Add(ErrorPhase::kReceive, st);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  const Status closed = consumer_->Close();
  if (!closed.ok()) errors.Add(ErrorPhase::kClose, closed);
}

void ConsumerWorker::OnReceived(std::span<const InMessage> batch) {
  const int64_t now = MonotonicNowNs();
  const RunClock& clock = shared_.clock;
  const bool now_in_window = clock.InWindow(now);
  uint64_t bytes = 0;
  uint64_t distinct = 0;
  uint64_t frontier_advance = 0;
  uint64_t before_mark = 0;
  const int64_t drain_mark = shared_.drain_mark_ns.load(std::memory_order_relaxed);
  const uint32_t producers = static_cast<uint32_t>(accounting.producers());
  const uint32_t streams = static_cast<uint32_t>(accounting.streams());
  std::lock_guard<std::mutex> lock(interval_mutex);
  for (const InMessage& m : batch) {
    bytes += m.payload.size();
    const std::optional<MessageHeader> h = DecodeHeader(m.payload);
    if (!h || h->producer_id >= producers || m.stream >= streams) {
      accounting.OnUnparseable();
      continue;
    }
    StreamReceiveTracker& tracker = accounting.tracker(h->producer_id, m.stream);
    const uint64_t duplicated_before = tracker.duplicated();
    const uint64_t frontier_before = tracker.frontier();
    tracker.OnReceive(h->seq);
    distinct += tracker.duplicated() == duplicated_before;
    frontier_advance += tracker.frontier() - frontier_before;
    before_mark += h->intended_ns < drain_mark;
    if (clock.InWindow(h->intended_ns)) {
      e2e.corrected.Record(now - h->intended_ns);
      e2e.uncorrected.Record(now - h->sent_ns);
      interval_e2e.Record(now - h->intended_ns);
      interval_e2e_uncorrected.Record(now - h->sent_ns);
    }
  }
  if (now_in_window) {
    measured_received += batch.size();
    measured_received_bytes += bytes;
  }
  last_receive_ns = now;
  received.fetch_add(batch.size(), std::memory_order_relaxed);
  received_bytes.fetch_add(bytes, std::memory_order_relaxed);
  shared_.distinct_received.fetch_add(distinct, std::memory_order_relaxed);
  shared_.frontier_total.fetch_add(frontier_advance, std::memory_order_relaxed);
  SubscriptionProgress& progress = shared_.subscriptions[static_cast<size_t>(subscription)];
  progress.distinct_received.fetch_add(distinct, std::memory_order_relaxed);
  progress.frontier_total.fetch_add(frontier_advance, std::memory_order_relaxed);
  if (before_mark > 0) progress.received_before_mark.fetch_add(before_mark, std::memory_order_relaxed);
}

}  // namespace bakeoff::internal
