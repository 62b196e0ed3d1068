#include "workload/payload.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "measure/message_header.h"
#include "workload/keys.h"

namespace bakeoff {
namespace {

double CompressedRatio(const std::vector<std::byte>& data) {
  uLongf out_len = compressBound(data.size());
  std::vector<Bytef> out(out_len);
  EXPECT_EQ(compress2(out.data(), &out_len, reinterpret_cast<const Bytef*>(data.data()), data.size(), 6),
            Z_OK);
  return static_cast<double>(out_len) / static_cast<double>(data.size());
}

TEST(PayloadTest, RandomBytesDoNotCompress) {
  WorkloadSpec w;
  w.payload.kind = PayloadSpec::Kind::kCompressible;
  w.payload.compress_ratio = 1.0;
  EXPECT_GT(CompressedRatio(MakeCompressibleBytes(1 << 16, 1.0, 7)), 0.95);
}

TEST(PayloadTest, CompressibleBytesCompressNearTheRatio) {
  for (double ratio : {0.25, 0.5, 0.75}) {
    const double measured = CompressedRatio(MakeCompressibleBytes(1 << 16, ratio, 7));
    EXPECT_NEAR(measured, ratio, 0.1) << "target " << ratio;
  }
}

TEST(PayloadTest, UniformSizesStayInRange) {
  WorkloadSpec w;
  w.message_size.distribution = MessageSizeSpec::Distribution::kUniform;
  w.message_size.min_bytes = 100;
  w.message_size.max_bytes = 200;
  Result<PayloadGenerator> g = PayloadGenerator::Create(w, ".", 1);
  ASSERT_TRUE(g.ok());
  size_t lo = 1000, hi = 0;
  for (int i = 0; i < 10000; ++i) {
    const size_t s = g->NextSize();
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }
  EXPECT_EQ(lo, 100u);
  EXPECT_EQ(hi, 200u);
  EXPECT_EQ(g->max_bytes(), 200u);
}

TEST(PayloadTest, FixedSizeBelowHeaderIsRaisedToHeader) {
  WorkloadSpec w;
  w.message_size.fixed_bytes = 8;
  Result<PayloadGenerator> g = PayloadGenerator::Create(w, ".", 1);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->NextSize(), kHeaderBytes);
}

TEST(PayloadTest, PoolCyclesThroughDistinctPayloads) {
  WorkloadSpec w;
  w.message_size.fixed_bytes = 128;
  w.payload.kind = PayloadSpec::Kind::kPool;
  w.payload.pool = {.count = 4, .random_bytes_ratio = 1.0};
  Result<PayloadGenerator> g = PayloadGenerator::Create(w, ".", 7);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  std::vector<std::vector<std::byte>> bodies;
  for (int i = 0; i < 9; ++i) {
    std::vector<std::byte> body(g->NextSize());
    g->FillBody(body, kHeaderBytes);
    bodies.push_back(body);
  }
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(bodies[i], bodies[i + 4]) << i;
    EXPECT_NE(bodies[i], bodies[(i + 1) % 4]) << i;
  }
  EXPECT_EQ(bodies[8], bodies[0]);
  // random_bytes_ratio 0: nothing random, every body byte the same.
  w.payload.pool.random_bytes_ratio = 0.0;
  Result<PayloadGenerator> plain = PayloadGenerator::Create(w, ".", 7);
  ASSERT_TRUE(plain.ok());
  std::vector<std::byte> body(plain->NextSize());
  plain->FillBody(body, kHeaderBytes);
  for (size_t i = kHeaderBytes; i < body.size(); ++i) EXPECT_EQ(body[i], std::byte{'a'}) << i;
  // A pool too large for memory is refused, not allocated.
  w.payload.pool.count = 100'000;
  w.message_size.fixed_bytes = 1 << 20;
  Result<PayloadGenerator> huge = PayloadGenerator::Create(w, ".", 7);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("smaller pool"), std::string::npos);
}

TEST(PayloadTest, FileShorterThanTheMessageIsRefused) {
  const std::string path = ::testing::TempDir() + "/bakeoff-short-payload.bin";
  { std::ofstream(path) << std::string(100, 'z'); }
  WorkloadSpec w;
  w.message_size.fixed_bytes = 200;
  w.payload.kind = PayloadSpec::Kind::kFile;
  w.payload.file = path;
  Result<PayloadGenerator> g = PayloadGenerator::Create(w, ".", 1);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("shorter than the 200-byte messages"), std::string::npos);
  w.message_size.fixed_bytes = 100;
  EXPECT_TRUE(PayloadGenerator::Create(w, ".", 1).ok());
  std::remove(path.c_str());
}

TEST(PayloadTest, MissingFileIsANamedError) {
  WorkloadSpec w;
  w.payload.kind = PayloadSpec::Kind::kFile;
  w.payload.file = "no/such/payload.bin";
  Result<PayloadGenerator> g = PayloadGenerator::Create(w, "/tmp", 1);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("no/such/payload.bin"), std::string::npos);
}

TEST(KeysTest, ZipfIsSkewedAndRoundRobinIsEven) {
  KeySpec zipf;
  zipf.distribution = KeySpec::Distribution::kZipf;
  zipf.count = 100;
  zipf.zipf_exponent = 1.2;
  KeyChooser chooser(zipf, 8, 3);
  std::map<std::string, int> counts;
  for (int i = 0; i < 20000; ++i) {
    auto c = chooser.Next(i);
    counts[std::string(reinterpret_cast<const char*>(c.key.data()), c.key.size())]++;
    ASSERT_LT(c.stream, 8u);
  }
  EXPECT_GT(counts["key-00000000"], 20000 / 10);  // the hottest key gets far more than 1/100
  KeySpec rr;
  rr.distribution = KeySpec::Distribution::kRoundRobin;
  rr.count = 10;
  KeyChooser even(rr, 4, 3);
  std::map<std::string, int> rr_counts;
  for (int i = 0; i < 1000; ++i) {
    auto c = even.Next(i);
    rr_counts[std::string(reinterpret_cast<const char*>(c.key.data()), c.key.size())]++;
  }
  EXPECT_EQ(rr_counts.size(), 10u);
  for (const auto& [key, n] : rr_counts) EXPECT_EQ(n, 100) << key;
}

TEST(KeysTest, SameKeyAlwaysSameStream) {
  KeySpec random;
  random.distribution = KeySpec::Distribution::kRandom;
  random.count = 50;
  KeyChooser chooser(random, 6, 9);
  std::map<std::string, uint32_t> stream_of;
  for (int i = 0; i < 5000; ++i) {
    auto c = chooser.Next(i);
    std::string key(reinterpret_cast<const char*>(c.key.data()), c.key.size());
    auto [it, inserted] = stream_of.emplace(key, c.stream);
    EXPECT_EQ(it->second, c.stream);
  }
}

}  // namespace
}  // namespace bakeoff
