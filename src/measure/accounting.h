// Exact delivery accounting: lost, duplicated and out-of-order messages, per (producer, stream).
//
// Memory: the common case (the next expected number) extends an open run in O(1) without touching
// the set. Received sequence numbers are kept in an IntervalSet: a few bytes per gap while gaps are
// sparse, and at most ~1 bit per sequence number spanned however they are scattered (with every other
// message lost, 1e9 messages cost ~128 MiB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "measure/interval_set.h"

namespace bakeoff {

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
