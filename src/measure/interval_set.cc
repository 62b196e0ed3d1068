#include "measure/interval_set.h"

#include <algorithm>
#include <bit>

namespace bakeoff {
namespace {

constexpr uint32_t kLocalMax = IntervalSet::kChunkValues - 1;
constexpr size_t kWords = IntervalSet::kChunkValues / 64;

// Bits a..b (0 <= a <= b <= 63) of a word.
uint64_t Mask(uint32_t a, uint32_t b) {
  const uint64_t upto_b = b == 63 ? ~uint64_t{0} : (uint64_t{1} << (b + 1)) - 1;
  return upto_b & ~((uint64_t{1} << a) - 1);
}

// The first position >= pos (< kChunkValues) whose bit equals `set`; kChunkValues if none.
uint32_t NextBit(const std::vector<uint64_t>& bits, uint32_t pos, bool set) {
  while (pos < IntervalSet::kChunkValues) {
    uint64_t word = set ? bits[pos / 64] : ~bits[pos / 64];
    word &= ~uint64_t{0} << (pos % 64);
    if (word != 0) return (pos / 64) * 64 + static_cast<uint32_t>(std::countr_zero(word));
    pos = (pos / 64 + 1) * 64;
  }
  return IntervalSet::kChunkValues;
}

}  // namespace

IntervalSet& IntervalSet::operator=(const IntervalSet& other) {
  if (this != &other) {
    chunks_ = other.chunks_;
    size_ = other.size_;
    cached_ = nullptr;
  }
  return *this;
}

IntervalSet& IntervalSet::operator=(IntervalSet&& other) noexcept {
  chunks_ = std::move(other.chunks_);
  size_ = other.size_;
  cached_ = nullptr;
  other.cached_ = nullptr;
  return *this;
}

IntervalSet::Chunk& IntervalSet::ChunkFor(uint64_t key) {
  if (cached_ != nullptr && cached_key_ == key) return *cached_;
  cached_ = &chunks_.try_emplace(key).first->second;
  cached_key_ = key;
  return *cached_;
}

void IntervalSet::MakeDense(Chunk& chunk) {
  chunk.bits.assign(kWords, 0);
  for (const auto& [lo, hi] : chunk.runs) {
    for (uint32_t w = lo / 64; w <= hi / 64u; ++w)
      chunk.bits[w] |= Mask(std::max<uint32_t>(lo, w * 64) % 64, std::min<uint32_t>(hi, w * 64 + 63) % 64);
  }
  std::vector<std::pair<uint16_t, uint16_t>>().swap(chunk.runs);
}

uint64_t IntervalSet::InsertLocal(Chunk& chunk, uint32_t lo, uint32_t hi) {
  uint64_t present = 0;
  if (chunk.dense()) {
    for (uint32_t w = lo / 64; w <= hi / 64; ++w) {
      const uint64_t mask = Mask(std::max(lo, w * 64) % 64, std::min(hi, w * 64 + 63) % 64);
      present += static_cast<uint64_t>(std::popcount(chunk.bits[w] & mask));
      chunk.bits[w] |= mask;
    }
  } else {
    auto& runs = chunk.runs;
    // The first run that overlaps or touches [lo, hi] from the left ...
    auto it = std::lower_bound(
        runs.begin(), runs.end(), lo,
        [](const std::pair<uint16_t, uint16_t>& r, uint32_t v) { return r.second + 1u < v; });
    uint32_t merged_lo = lo, merged_hi = hi;
    auto end = it;
    // ... and every run up to the last one that does from the right.
    for (; end != runs.end() && end->first <= hi + 1; ++end) {
      const uint32_t a = std::max<uint32_t>(lo, end->first), b = std::min<uint32_t>(hi, end->second);
      if (a <= b) present += b - a + 1;
      merged_lo = std::min<uint32_t>(merged_lo, end->first);
      merged_hi = std::max<uint32_t>(merged_hi, end->second);
    }
    const std::pair<uint16_t, uint16_t> merged{static_cast<uint16_t>(merged_lo),
                                               static_cast<uint16_t>(merged_hi)};
    if (it == end) {
      runs.insert(it, merged);
    } else {
      *it = merged;
      runs.erase(it + 1, end);
    }
    if (runs.size() > kMaxRunsPerChunk) MakeDense(chunk);
  }
  chunk.count += static_cast<uint32_t>((hi - lo + 1) - present);
  return present;
}

uint64_t IntervalSet::InsertRange(uint64_t first, uint64_t last) {
  if (first > last) return 0;
  uint64_t present = 0;
  const uint64_t first_key = first >> kChunkBits, last_key = last >> kChunkBits;
  for (uint64_t key = first_key;; ++key) {
    const uint32_t lo = key == first_key ? static_cast<uint32_t>(first & kLocalMax) : 0;
    const uint32_t hi = key == last_key ? static_cast<uint32_t>(last & kLocalMax) : kLocalMax;
    const uint64_t p = InsertLocal(ChunkFor(key), lo, hi);
    present += p;
    size_ += (hi - lo + 1) - p;
    if (key == last_key) break;
  }
  return present;
}

uint64_t IntervalSet::UnionWith(const IntervalSet& other) {
  uint64_t present = 0;
  for (const auto& [key, theirs] : other.chunks_) {
    auto [it, inserted] = chunks_.try_emplace(key, theirs);
    if (inserted) {
      size_ += theirs.count;
      continue;
    }
    Chunk& ours = it->second;
    if (!theirs.dense()) {
      for (const auto& [lo, hi] : theirs.runs) {
        const uint64_t p = InsertLocal(ours, lo, hi);
        present += p;
        size_ += (uint64_t{hi} - lo + 1) - p;
      }
      continue;
    }
    if (!ours.dense()) MakeDense(ours);
    uint64_t count = 0;
    for (size_t w = 0; w < kWords; ++w) {
      present += static_cast<uint64_t>(std::popcount(ours.bits[w] & theirs.bits[w]));
      ours.bits[w] |= theirs.bits[w];
      count += static_cast<uint64_t>(std::popcount(ours.bits[w]));
    }
    size_ += count - ours.count;
    ours.count = static_cast<uint32_t>(count);
  }
  return present;
}

bool IntervalSet::Contains(uint64_t value) const {
  auto found = chunks_.find(value >> kChunkBits);
  if (found == chunks_.end()) return false;
  const Chunk& chunk = found->second;
  const uint32_t local = static_cast<uint32_t>(value & kLocalMax);
  if (chunk.dense()) return (chunk.bits[local / 64] >> (local % 64)) & 1;
  auto next =
      std::upper_bound(chunk.runs.begin(), chunk.runs.end(), local,
                       [](uint32_t v, const std::pair<uint16_t, uint16_t>& r) { return v < r.first; });
  return next != chunk.runs.begin() && std::prev(next)->second >= local;
}

uint64_t IntervalSet::CountLocalBelow(const Chunk& chunk, uint32_t end) {
  uint64_t count = 0;
  if (chunk.dense()) {
    for (uint32_t w = 0; w < end / 64; ++w) count += static_cast<uint64_t>(std::popcount(chunk.bits[w]));
    if (end % 64 != 0)
      count += static_cast<uint64_t>(std::popcount(chunk.bits[end / 64] & Mask(0, end % 64 - 1)));
    return count;
  }
  for (const auto& [lo, hi] : chunk.runs) {
    if (lo >= end) break;
    count += std::min<uint32_t>(hi, end - 1) - lo + 1;
  }
  return count;
}

uint64_t IntervalSet::CountBothLocalBelow(const Chunk& a, const Chunk& b, uint32_t end) {
  if (!a.dense() && !b.dense()) {  // merge walk over the two run lists
    uint64_t count = 0;
    auto ia = a.runs.begin();
    auto ib = b.runs.begin();
    while (ia != a.runs.end() && ib != b.runs.end()) {
      const uint32_t lo = std::max(ia->first, ib->first);
      if (lo >= end) break;
      const uint32_t hi = std::min<uint32_t>({ia->second, ib->second, end - 1});
      if (lo <= hi) count += hi - lo + 1;
      if (ia->second < ib->second) {
        ++ia;
      } else {
        ++ib;
      }
    }
    return count;
  }
  Chunk dense_a, dense_b;
  const Chunk* pa = &a;
  const Chunk* pb = &b;
  if (!a.dense()) {
    dense_a.runs = a.runs;
    MakeDense(dense_a);
    pa = &dense_a;
  }
  if (!b.dense()) {
    dense_b.runs = b.runs;
    MakeDense(dense_b);
    pb = &dense_b;
  }
  Chunk both;
  both.bits.resize(kWords);
  for (size_t w = 0; w < kWords; ++w) both.bits[w] = pa->bits[w] & pb->bits[w];
  return CountLocalBelow(both, end);
}

uint64_t IntervalSet::MissingBelow(uint64_t end) const {
  return MissingBelowFromBoth(end, IntervalSet());
}

uint64_t IntervalSet::MissingBelowFromBoth(uint64_t end, const IntervalSet& other) const {
  const uint64_t end_key = end >> kChunkBits;
  const uint32_t end_local = static_cast<uint32_t>(end & kLocalMax);
  auto below = [&](const IntervalSet& set) {
    uint64_t count = 0;
    for (const auto& [key, chunk] : set.chunks_) {
      if (key > end_key) break;
      count += key < end_key ? chunk.count : CountLocalBelow(chunk, end_local);
    }
    return count;
  };
  uint64_t both = 0;
  auto ia = chunks_.begin();
  auto ib = other.chunks_.begin();
  while (ia != chunks_.end() && ib != other.chunks_.end() && std::min(ia->first, ib->first) <= end_key) {
    if (ia->first < ib->first) {
      ++ia;
    } else if (ib->first < ia->first) {
      ++ib;
    } else {
      both += CountBothLocalBelow(ia->second, ib->second, ia->first < end_key ? kChunkValues : end_local);
      ++ia;
      ++ib;
    }
  }
  return end - (below(*this) + below(other) - both);
}

void IntervalSet::ForEachInterval(const std::function<void(uint64_t, uint64_t)>& visit) const {
  bool pending = false;
  uint64_t pending_first = 0, pending_last = 0;
  auto add = [&](uint64_t first, uint64_t last) {
    if (pending && pending_last != UINT64_MAX && pending_last + 1 == first) {
      pending_last = last;
      return;
    }
    if (pending) visit(pending_first, pending_last);
    pending = true;
    pending_first = first;
    pending_last = last;
  };
  for (const auto& [key, chunk] : chunks_) {
    const uint64_t base = key << kChunkBits;
    if (!chunk.dense()) {
      for (const auto& [lo, hi] : chunk.runs) add(base + lo, base + hi);
      continue;
    }
    for (uint32_t pos = NextBit(chunk.bits, 0, true); pos < kChunkValues;) {
      const uint32_t stop = NextBit(chunk.bits, pos, false);
      add(base + pos, base + stop - 1);
      pos = stop < kChunkValues ? NextBit(chunk.bits, stop, true) : kChunkValues;
    }
  }
  if (pending) visit(pending_first, pending_last);
}

size_t IntervalSet::interval_count() const {
  size_t count = 0;
  ForEachInterval([&count](uint64_t, uint64_t) { ++count; });
  return count;
}

std::map<uint64_t, uint64_t> IntervalSet::intervals() const {
  std::map<uint64_t, uint64_t> out;
  ForEachInterval([&out](uint64_t first, uint64_t last) { out.emplace_hint(out.end(), first, last); });
  return out;
}

size_t IntervalSet::bytes_used() const {
  constexpr size_t kNodeOverhead = 32 + sizeof(uint64_t);  // red-black tree node header + key
  size_t bytes = 0;
  for (const auto& [key, chunk] : chunks_) {
    bytes += kNodeOverhead + sizeof(Chunk) + chunk.runs.capacity() * sizeof(chunk.runs[0]) +
             chunk.bits.capacity() * sizeof(uint64_t);
  }
  return bytes;
}

}  // namespace bakeoff
