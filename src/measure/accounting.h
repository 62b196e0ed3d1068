// Exact delivery accounting: lost, duplicated and out-of-order messages, per (producer, stream).
//
// Memory is bounded by the number of gaps (runs of missing sequence numbers), never by the number of
// messages: received sequence numbers are kept as an interval set whose common case (the next expected
// number) is an O(1) extension of the last interval.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace bakeoff {

// A set of uint64 values stored as disjoint, non-adjacent closed intervals [first, last].
class IntervalSet {
 public:
  // Inserts `value`; returns false if it was already present.
  bool Insert(uint64_t value);
  // Inserts [first, last]; returns how many of those values were already present.
  uint64_t InsertRange(uint64_t first, uint64_t last);
  bool Contains(uint64_t value) const;
  // Number of values in the set.
  uint64_t size() const { return size_; }
  // Number of values in [0, end) that are NOT in the set.
  uint64_t MissingBelow(uint64_t end) const;
  // Number of values in [0, end) in neither this set nor `other`.
  uint64_t MissingBelowFromBoth(uint64_t end, const IntervalSet& other) const;
  size_t interval_count() const { return intervals_.size(); }
  const std::map<uint64_t, uint64_t>& intervals() const { return intervals_; }  // first -> last

 private:
  std::map<uint64_t, uint64_t> intervals_;
  uint64_t size_ = 0;
};

// What one consumer saw of one (producer, stream).
class StreamReceiveTracker {
 public:
  // Records delivery of `seq`. O(1) when seq is the next in order.
  void OnReceive(uint64_t seq) {
    if (any_ && seq == next_expected_ && run_open_) {
      ++next_expected_;
      ++received_;
      return;
    }
    OnReceiveSlow(seq);
  }

  // Highest sequence number seen + 1 (0 before any delivery): everything below it has arrived or
  // is lost or late; nothing at or above it has arrived.
  uint64_t frontier() const { return next_expected_; }
  uint64_t received() const { return received_; }          // every delivery, duplicates included
  uint64_t duplicated() const { return duplicated_; }      // deliveries of a seq already seen
  uint64_t out_of_order() const { return out_of_order_; }  // first deliveries below the highest seen
  // The distinct sequence numbers seen (closes the open run first).
  const IntervalSet& Distinct();

 private:
  void OnReceiveSlow(uint64_t seq);

  IntervalSet distinct_;  // closed intervals, excluding the open run
  bool any_ = false;
  bool run_open_ = false;  // [run_first_, next_expected_ - 1] not yet in distinct_
  uint64_t run_first_ = 0;
  uint64_t next_expected_ = 0;  // highest seen + 1
  uint64_t received_ = 0;
  uint64_t duplicated_ = 0;
  uint64_t out_of_order_ = 0;
};

// What one producer did to one stream.
struct StreamSendRecord {
  uint64_t sent = 0;  // sequence numbers [0, sent) were handed to the client
  uint64_t acked = 0;
  IntervalSet failed;  // sequence numbers whose send was reported failed
};

struct AccountingTotals {
  uint64_t sent = 0;
  uint64_t acked = 0;
  uint64_t send_errors = 0;
  uint64_t received = 0;  // deliveries, duplicates included
  uint64_t lost = 0;      // sent, not reported failed, never received
  uint64_t duplicated = 0;
  uint64_t out_of_order = 0;
  uint64_t unparseable = 0;  // deliveries without a valid header or with an unknown producer/stream;
                             // not included in received
};

// Per-thread receive side: trackers for producers x streams, indexed densely.
class ReceiveAccounting {
 public:
  ReceiveAccounting(int producers, int streams);
  void OnReceive(uint32_t producer_id, uint32_t stream, uint64_t seq) {
    if (producer_id >= static_cast<uint32_t>(producers_) || stream >= static_cast<uint32_t>(streams_)) {
      ++unparseable_;
      return;
    }
    trackers_[static_cast<size_t>(stream) * producers_ + producer_id].OnReceive(seq);
  }
  void OnUnparseable() { ++unparseable_; }

  int producers() const { return producers_; }
  int streams() const { return streams_; }
  StreamReceiveTracker& tracker(uint32_t producer_id, uint32_t stream) {
    return trackers_[static_cast<size_t>(stream) * producers_ + producer_id];
  }
  uint64_t unparseable() const { return unparseable_; }

 private:
  int producers_;
  int streams_;
  std::vector<StreamReceiveTracker> trackers_;
  uint64_t unparseable_ = 0;
};

// Per-producer send side: one record per stream.
class SendAccounting {
 public:
  explicit SendAccounting(int streams) : records_(static_cast<size_t>(streams)) {}
  StreamSendRecord& stream(uint32_t s) { return records_[s]; }
  const std::vector<StreamSendRecord>& records() const { return records_; }

 private:
  std::vector<StreamSendRecord> records_;
};

// Reconciles what producers sent with what all consumers received. A stream read by two consumers
// (after a rebalance) is merged: a sequence seen by both counts as duplicated.
// `senders[p]` is producer p's record; `receivers` are the consumer threads' accountings.
AccountingTotals Reconcile(const std::vector<const SendAccounting*>& senders,
                           const std::vector<ReceiveAccounting*>& receivers);

}  // namespace bakeoff
