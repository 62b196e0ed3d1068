#include "measure/accounting.h"

#include <algorithm>
#include <utility>

namespace bakeoff {

void StreamReceiveTracker::OnReceiveSlow(uint64_t seq) {
  ++received_;
  if (!any_) {
    any_ = true;
    run_open_ = true;
    run_first_ = seq;
    next_expected_ = seq + 1;
    return;
  }
  if (seq >= next_expected_) {
    // A gap (seq > next_expected_; the fast path took seq == next_expected_ while the run was open),
    // or the next in order after Distinct() closed the run. Either way a new run starts at seq;
    // adjacent intervals are merged when it is closed.
    if (run_open_) distinct_.InsertRange(run_first_, next_expected_ - 1);
    run_first_ = seq;
    run_open_ = true;
    next_expected_ = seq + 1;
    return;
  }
  // Below the highest seen: a duplicate, or the late first delivery of a seq left in a gap.
  if (run_open_ && seq >= run_first_) {
    ++duplicated_;
    return;
  }
  if (distinct_.Insert(seq)) {
    ++out_of_order_;
  } else {
    ++duplicated_;
  }
}

const IntervalSet& StreamReceiveTracker::Distinct() {
  if (run_open_) {
    distinct_.InsertRange(run_first_, next_expected_ - 1);
    run_open_ = false;
  }
  return distinct_;
}

ReceiveAccounting::ReceiveAccounting(int producers, int streams)
    : producers_(std::max(producers, 0)),
      streams_(std::max(streams, 0)),
      trackers_(static_cast<size_t>(producers_) * static_cast<size_t>(streams_)) {}

AccountingTotals Reconcile(const std::vector<const SendAccounting*>& senders,
                           const std::vector<ReceiveAccounting*>& receivers) {
  AccountingTotals totals;

  // The union of what every consumer saw, per (producer, stream). A seq seen by two consumers is
  // counted as duplicated here; duplicates within one consumer were already counted by its tracker.
  // A stream seen by one consumer (the common case) uses that consumer's set as it is: no copy.
  std::map<std::pair<uint32_t, uint32_t>, std::vector<const IntervalSet*>> seen_by;
  for (ReceiveAccounting* receiver : receivers) {
    if (receiver == nullptr) continue;
    totals.unparseable += receiver->unparseable();
    for (uint32_t s = 0; s < static_cast<uint32_t>(receiver->streams()); ++s) {
      for (uint32_t p = 0; p < static_cast<uint32_t>(receiver->producers()); ++p) {
        StreamReceiveTracker& tracker = receiver->tracker(p, s);
        if (tracker.received() == 0) continue;
        totals.received += tracker.received();
        totals.duplicated += tracker.duplicated();
        totals.out_of_order += tracker.out_of_order();
        seen_by[{p, s}].push_back(&tracker.Distinct());
      }
    }
  }
  std::map<std::pair<uint32_t, uint32_t>, IntervalSet> unions;
  std::map<std::pair<uint32_t, uint32_t>, const IntervalSet*> seen;
  for (const auto& [key, sets] : seen_by) {
    if (sets.size() == 1) {
      seen[key] = sets[0];
      continue;
    }
    IntervalSet& union_set = unions[key];
    for (const IntervalSet* set : sets) totals.duplicated += union_set.UnionWith(*set);
    seen[key] = &union_set;
  }

  const IntervalSet nothing_seen;
  for (size_t p = 0; p < senders.size(); ++p) {
    if (senders[p] == nullptr) continue;
    const std::vector<StreamSendRecord>& records = senders[p]->records();
    for (size_t s = 0; s < records.size(); ++s) {
      const StreamSendRecord& record = records[s];
      totals.sent += record.sent;
      totals.acked += record.acked;
      totals.send_errors += record.failed.size();
      auto found = seen.find({static_cast<uint32_t>(p), static_cast<uint32_t>(s)});
      const IntervalSet& received = found == seen.end() ? nothing_seen : *found->second;
      totals.lost += received.MissingBelowFromBoth(record.sent, record.failed);
    }
  }
  return totals;
}

}  // namespace bakeoff
