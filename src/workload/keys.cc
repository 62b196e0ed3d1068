#include "workload/keys.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bakeoff {

uint64_t HashKey(std::span<const std::byte> key) {
  uint64_t h = 1469598103934665603ULL;
  for (std::byte b : key) {
    h ^= static_cast<uint8_t>(b);
    h *= 1099511628211ULL;
  }
  return h;
}

KeyChooser::KeyChooser(const KeySpec& spec, int streams, uint64_t seed)
    : spec_(spec), streams_(static_cast<uint32_t>(std::max(1, streams))), rng_(seed) {
  if (spec_.distribution == KeySpec::Distribution::kNone) return;
  const size_t count = static_cast<size_t>(std::max<int64_t>(1, spec_.count));
  keys_.reserve(count);
  key_stream_.reserve(count);
  char buf[32];
  for (size_t k = 0; k < count; ++k) {
    const int n = std::snprintf(buf, sizeof(buf), "key-%08zu", k);
    keys_.emplace_back(buf, static_cast<size_t>(n));
    const auto* data = reinterpret_cast<const std::byte*>(keys_.back().data());
    key_stream_.push_back(static_cast<uint32_t>(HashKey({data, keys_.back().size()}) % streams_));
  }
  if (spec_.distribution == KeySpec::Distribution::kZipf) {
    zipf_cdf_.resize(count);
    double sum = 0;
    for (size_t k = 0; k < count; ++k) {
      sum += 1.0 / std::pow(static_cast<double>(k + 1), spec_.zipf_exponent);
      zipf_cdf_[k] = sum;
    }
    for (double& c : zipf_cdf_) c /= sum;
  }
}

size_t KeyChooser::DrawKeyIndex(uint64_t index) {
  switch (spec_.distribution) {
    case KeySpec::Distribution::kRoundRobin:
      return static_cast<size_t>(index % keys_.size());
    case KeySpec::Distribution::kRandom:
      return static_cast<size_t>(rng_() % keys_.size());
    case KeySpec::Distribution::kZipf: {
      const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
      auto it = std::lower_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u);
      return std::min(static_cast<size_t>(it - zipf_cdf_.begin()), keys_.size() - 1);
    }
    case KeySpec::Distribution::kNone:
      break;
  }
  return 0;
}

KeyChooser::Choice KeyChooser::Next(uint64_t index) {
  if (spec_.distribution == KeySpec::Distribution::kNone) {
    // Round-robin over streams; a wrapping counter instead of `index % streams` (a division per message).
    if (index != next_index_) next_stream_ = static_cast<uint32_t>(index % streams_);
    const uint32_t stream = next_stream_;
    next_index_ = index + 1;
    if (++next_stream_ == streams_) next_stream_ = 0;
    return {stream, {}};
  }
  const size_t k = DrawKeyIndex(index);
  const std::string& key = keys_[k];
  return {key_stream_[k], {reinterpret_cast<const std::byte*>(key.data()), key.size()}};
}

}  // namespace bakeoff
