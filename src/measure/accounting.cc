#include "measure/accounting.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace bakeoff {
namespace {

// Whether an interval ending at `last` overlaps or touches one starting at `first`. Written so that
// last == UINT64_MAX cannot overflow.
bool TouchesOrOverlaps(uint64_t last, uint64_t first) {
  return last >= first || last + 1 == first;
}

// Number of values of `set` in [0, end).
uint64_t CountBelow(const std::map<uint64_t, uint64_t>& set, uint64_t end) {
  uint64_t count = 0;
  for (const auto& [first, last] : set) {
    if (first >= end) break;
    count += std::min(last, end - 1) - first + 1;
  }
  return count;
}

// Number of values in [0, end) present in both `a` and `b`: a merge walk over the two interval lists.
uint64_t CountBothBelow(const std::map<uint64_t, uint64_t>& a, const std::map<uint64_t, uint64_t>& b,
                        uint64_t end) {
  uint64_t count = 0;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() && ib != b.end()) {
    const uint64_t lo = std::max(ia->first, ib->first);
    if (lo >= end) break;
    const uint64_t hi = std::min({ia->second, ib->second, end - 1});
    if (lo <= hi) count += hi - lo + 1;
    // Advance whichever interval ends first; the other may still overlap the next one.
    if (ia->second < ib->second) {
      ++ia;
    } else {
      ++ib;
    }
  }
  return count;
}

}  // namespace

bool IntervalSet::Insert(uint64_t value) {
  auto next = intervals_.upper_bound(value);  // first interval starting after value
  if (next != intervals_.begin()) {
    auto prev = std::prev(next);
    if (prev->second >= value) return false;
    if (prev->second + 1 == value) {
      // Extends prev; may also close the gap to next.
      if (next != intervals_.end() && next->first == value + 1) {
        prev->second = next->second;
        intervals_.erase(next);
      } else {
        prev->second = value;
      }
      ++size_;
      return true;
    }
  }
  if (next != intervals_.end() && next->first == value + 1) {
    const uint64_t last = next->second;
    intervals_.erase(next);
    intervals_.emplace(value, last);
  } else {
    intervals_.emplace(value, value);
  }
  ++size_;
  return true;
}

uint64_t IntervalSet::InsertRange(uint64_t first, uint64_t last) {
  if (first > last) return 0;
  uint64_t merged_first = first;
  uint64_t merged_last = last;
  uint64_t already_present = 0;
  uint64_t removed_size = 0;

  auto it = intervals_.upper_bound(first);
  if (it != intervals_.begin() && TouchesOrOverlaps(std::prev(it)->second, first)) --it;
  while (it != intervals_.end() && TouchesOrOverlaps(last, it->first)) {
    const uint64_t overlap_first = std::max(first, it->first);
    const uint64_t overlap_last = std::min(last, it->second);
    if (overlap_first <= overlap_last) already_present += overlap_last - overlap_first + 1;
    merged_first = std::min(merged_first, it->first);
    merged_last = std::max(merged_last, it->second);
    removed_size += it->second - it->first + 1;
    it = intervals_.erase(it);
  }
  intervals_.emplace_hint(it, merged_first, merged_last);
  size_ = size_ - removed_size + (merged_last - merged_first + 1);
  return already_present;
}

bool IntervalSet::Contains(uint64_t value) const {
  auto next = intervals_.upper_bound(value);
  if (next == intervals_.begin()) return false;
  return std::prev(next)->second >= value;
}

uint64_t IntervalSet::MissingBelow(uint64_t end) const {
  return end - CountBelow(intervals_, end);
}

uint64_t IntervalSet::MissingBelowFromBoth(uint64_t end, const IntervalSet& other) const {
  const uint64_t in_union = CountBelow(intervals_, end) + CountBelow(other.intervals_, end) -
                            CountBothBelow(intervals_, other.intervals_, end);
  return end - in_union;
}

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
  std::map<std::pair<uint32_t, uint32_t>, IntervalSet> seen;
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
        IntervalSet& union_set = seen[{p, s}];
        for (const auto& [first, last] : tracker.Distinct().intervals()) {
          totals.duplicated += union_set.InsertRange(first, last);
        }
      }
    }
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
      const IntervalSet& received = found == seen.end() ? nothing_seen : found->second;
      totals.lost += received.MissingBelowFromBoth(record.sent, record.failed);
    }
  }
  return totals;
}

}  // namespace bakeoff
