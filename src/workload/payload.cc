#include "workload/payload.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "measure/message_header.h"
#include "spec/bounded_file.h"
#include "spec/limits.h"

namespace bakeoff {
namespace {

constexpr size_t kMinBlockBytes = size_t{1} << 20;

std::vector<std::byte> RandomBytes(size_t size, uint64_t seed) {
  std::vector<std::byte> out(size);
  std::mt19937_64 rng(seed);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < size; ++i) out[i] = static_cast<std::byte>(rng());
  return out;
}

}  // namespace

std::vector<std::byte> MakeCompressibleBytes(size_t size, double ratio, uint64_t seed) {
  // In each 64-byte chunk, `ratio` of the bytes are random and the rest repeat one byte.
  std::vector<std::byte> out = RandomBytes(size, seed);
  const size_t chunk = 64;
  const size_t random_bytes = static_cast<size_t>(std::clamp(ratio, 0.0, 1.0) * chunk);
  for (size_t start = 0; start < size; start += chunk) {
    for (size_t i = start + random_bytes; i < std::min(size, start + chunk); ++i) out[i] = std::byte{'a'};
  }
  return out;
}

Result<PayloadGenerator> PayloadGenerator::Create(const WorkloadSpec& w, const std::string& base_dir,
                                                  uint64_t seed) {
  PayloadGenerator g;
  g.size_spec_ = w.message_size;
  g.rng_.seed(seed);
  const auto& ms = w.message_size;
  switch (ms.distribution) {
    case MessageSizeSpec::Distribution::kFixed:
      g.fixed_size_ = static_cast<size_t>(std::max<int64_t>(ms.fixed_bytes, kHeaderBytes));
      g.max_size_ = g.fixed_size_;
      break;
    case MessageSizeSpec::Distribution::kUniform:
    case MessageSizeSpec::Distribution::kNormal:
      g.max_size_ = static_cast<size_t>(std::max<int64_t>(
          ms.max_bytes > 0 ? ms.max_bytes : ms.mean_bytes + 6 * ms.stddev_bytes, kHeaderBytes));
      break;
  }
  const size_t block_size = std::max(kMinBlockBytes, g.max_size_ * 2);
  switch (w.payload.kind) {
    case PayloadSpec::Kind::kRandom:
      g.block_ = RandomBytes(block_size, seed ^ 0x9e3779b97f4a7c15ULL);
      break;
    case PayloadSpec::Kind::kCompressible:
      g.block_ = MakeCompressibleBytes(block_size, w.payload.compress_ratio, seed);
      break;
    case PayloadSpec::Kind::kFile: {
      std::filesystem::path path(w.payload.file);
      if (path.is_relative() && !base_dir.empty()) path = std::filesystem::path(base_dir) / path;
      Result<std::string> content =
          ReadBoundedRegularFile(path.string(), kMaxPayloadFileBytes, "payload file");
      if (!content.ok()) return content.status();
      const std::string& bytes = *content;
      if (bytes.empty()) return InvalidArgument("payload file " + path.string() + " is empty");
      if (bytes.size() < g.max_size_) {
        return InvalidArgument("payload file " + path.string() + " is " + std::to_string(bytes.size()) +
                               " bytes, shorter than the " + std::to_string(g.max_size_) +
                               "-byte messages; use a file of at least the message size");
      }
      g.block_.resize(block_size);
      for (size_t i = 0; i < block_size; ++i) g.block_[i] = static_cast<std::byte>(bytes[i % bytes.size()]);
      break;
    }
    case PayloadSpec::Kind::kPool: {
      const size_t count = static_cast<size_t>(std::max<int64_t>(1, w.payload.pool.count));
      if (count * g.max_size_ > kMaxPayloadPoolBytes) {
        return InvalidArgument("payload pool of " + std::to_string(count) + " x " +
                               std::to_string(g.max_size_) +
                               " bytes is more than 64 MiB per producer; use a smaller pool");
      }
      g.pool_count_ = count;
      g.block_ = MakeCompressibleBytes(count * g.max_size_, w.payload.pool.random_bytes_ratio, seed);
      break;
    }
  }
  return g;
}

size_t PayloadGenerator::DrawSize() {
  const auto& ms = size_spec_;
  double size = 0;
  if (ms.distribution == MessageSizeSpec::Distribution::kUniform) {
    std::uniform_int_distribution<int64_t> d(ms.min_bytes, ms.max_bytes);
    size = static_cast<double>(d(rng_));
  } else {
    std::normal_distribution<double> d(static_cast<double>(ms.mean_bytes),
                                       static_cast<double>(ms.stddev_bytes));
    size = std::round(d(rng_));
    if (ms.min_bytes > 0) size = std::max(size, static_cast<double>(ms.min_bytes));
  }
  size = std::clamp(size, static_cast<double>(kHeaderBytes), static_cast<double>(max_size_));
  return static_cast<size_t>(size);
}

void PayloadGenerator::FillBody(std::span<std::byte> out, size_t header_bytes) {
  if (out.size() <= header_bytes) return;
  const size_t n = out.size() - header_bytes;
  if (pool_count_ > 0) {
    // Message k of this producer is pool entry k mod count (OMB's randomized payload pool).
    std::memcpy(out.data() + header_bytes, block_.data() + next_pool_entry_ * max_size_ + header_bytes, n);
    if (++next_pool_entry_ == pool_count_) next_pool_entry_ = 0;
    return;
  }
  if (offset_ + n > block_.size()) offset_ = 0;
  std::memcpy(out.data() + header_bytes, block_.data() + offset_, n);
  offset_ += 61;  // a prime stride so consecutive bodies differ
  if (offset_ >= block_.size() / 2) offset_ = 0;
}

}  // namespace bakeoff
