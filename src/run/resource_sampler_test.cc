#include "run/resource_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace bakeoff {
namespace {

TEST(ResourceSamplerTest, MeasuresCpuAndMemoryOfALiveProcess) {
  ResourceSampler sampler({{"self", static_cast<int>(getpid())}}, 200);
  // Burn CPU and touch memory for about a second so both show up.
  std::vector<char> memory(64 << 20, 1);
  volatile uint64_t sink = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1000);
  while (std::chrono::steady_clock::now() < end) {
    for (size_t i = 0; i < memory.size(); i += 4096) sink = sink + static_cast<uint64_t>(memory[i]++);
  }
  std::vector<ProcessUsage> usage = sampler.Stop();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_FALSE(usage[0].vanished);
  EXPECT_GT(usage[0].cpu_seconds, 0.05);  // a loaded machine may give the loop only part of a core
  EXPECT_GT(usage[0].max_rss_bytes, int64_t{60} << 20);
  EXPECT_GE(usage[0].series.size(), 3u);
  double peak_cpu_percent = 0;
  for (const ProcessSample& s : usage[0].series) peak_cpu_percent = std::max(peak_cpu_percent, s.cpu_percent);
  EXPECT_GT(peak_cpu_percent, 1.0);
}

TEST(ResourceSamplerTest, AVanishedProcessIsMarkedNotFatal) {
  // PID 0 is never a user process: /proc/0 does not exist.
  ResourceSampler sampler({{"ghost", 0}}, 100);
  std::vector<ProcessUsage> usage = sampler.Stop();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_TRUE(usage[0].vanished);
  EXPECT_TRUE(usage[0].series.empty());
}

TEST(ResourceSamplerTest, NoProcessesNoThread) {
  ResourceSampler sampler({}, 100);
  EXPECT_TRUE(sampler.Stop().empty());
}

}  // namespace
}  // namespace bakeoff
