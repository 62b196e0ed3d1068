// Inputs with limits (issue 10, point 3): what `run` died on with bad_alloc, hung on, or overflowed is
// refused by validation with file:line:col; spec and payload files are read only when regular and
// bounded. Ends with the bounded fuzz test over value-mutated experiment files.
#include "spec/limits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>

#include "spec/parser.h"
#include "spec/secrets.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;
using spec_test::TestSchemas;

std::string WithWorkload(const std::string& workload_lines) {
  return "name: x\nsystems: [{name: m, driver: memory}]\nworkload:\n" + workload_lines;
}

// The one diagnostic of `yaml`, which must be located (line > 0) and mention `text`.
void ExpectRejected(const std::string& yaml, const std::string& text) {
  ParseOutcome outcome = ParseExperiment(yaml, "limits.yaml", TestSchemas());
  ASSERT_FALSE(outcome.ok()) << yaml;
  EXPECT_GT(outcome.diagnostics[0].location.line, 0) << outcome.diagnostics[0].ToString();
  EXPECT_NE(outcome.diagnostics[0].ToString().find(text), std::string::npos)
      << yaml << "\n"
      << outcome.diagnostics[0].ToString();
}

// Before: each of these validated and then died in `run` (bad_alloc, exit 1) or overflowed.
TEST(LimitsTest, CountsSizesAndDurationsHaveUpperBounds) {
  ExpectRejected(WithWorkload("  partitions: 1000000000\n"), "workload.partitions: must be at most 10000");
  ExpectRejected(WithWorkload("  producers: 100000\n"), "workload.producers: must be at most 1024");
  ExpectRejected(WithWorkload("  consumers: 100000\n"), "workload.consumers: must be at most 1024");
  ExpectRejected(WithWorkload("  subscriptions: 1000\n"), "workload.subscriptions: must be at most 64");
  ExpectRejected(WithWorkload("  subscriptions: 2\n  consumers: 1000\n"),
                 "more than the 1024 one run may have");
  ExpectRejected(WithWorkload("  topics: 100\n  partitions: 5000\n"), "more than the 100000 streams");
  ExpectRejected(WithWorkload("  keys: {distribution: zipf, count: 1000000000000}\n"),
                 "must be at most 1000000");
  ExpectRejected(WithWorkload("  warmup: 1h\n  duration: 2562047h\n"), "workload.duration: must be at most");
  ExpectRejected(WithWorkload("  warmup: 2562047h\n"), "workload.warmup: must be at most");
  ExpectRejected(WithWorkload("  drain_timeout: 25h\n"), "workload.drain_timeout: must be at most");
  ExpectRejected(WithWorkload("  rate: 10G/s\n"), "must be at most 1G/s");
  EXPECT_TRUE(ParseExperiment(WithWorkload("  partitions: 10000\n  producers: 1024\n  duration: 720h\n"),
                              "limits.yaml", TestSchemas())
                  .ok());
}

// Before: `consumers: 0` ran and reported received 0, lost 0, status ok.
TEST(LimitsTest, ZeroConsumersIsRejected) {
  ExpectRejected(WithWorkload("  consumers: 0\n"), "workload.consumers: must be at least 1");
}

class FileLimitsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/limits-" + std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

// Before: validate exited 1 on /dev/zero, /dev/urandom and a 2 GiB sparse file, and hung on a FIFO.
TEST_F(FileLimitsTest, ExperimentFileMustBeARegularBoundedFile) {
  const std::string fifo = dir_ + "/fifo.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string sparse = dir_ + "/sparse.yaml";
  { std::ofstream out(sparse); }
  fs::resize_file(sparse, uintmax_t{2} << 30);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/dev/zero", "is a character device"},
      {"/dev/urandom", "is a character device"},
      {fifo, "is a FIFO"},
      {sparse, "2048 MiB, more than the 4 MiB allowed"},
      {dir_, "is a directory"}};
  for (const auto& [path, text] : cases) {
    const auto start = std::chrono::steady_clock::now();
    ParseOutcome outcome = ParseExperimentFile(path, TestSchemas());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << path;
    ASSERT_EQ(outcome.diagnostics.size(), 1u) << path;
    EXPECT_NE(outcome.diagnostics[0].ToString().find(path), std::string::npos);
    EXPECT_NE(outcome.diagnostics[0].ToString().find(text), std::string::npos)
        << outcome.diagnostics[0].ToString();
  }
}

// Before: `payload: {file: /dev/zero}` validated and `run` read /dev/zero until bad_alloc.
TEST_F(FileLimitsTest, PayloadFileIsCheckedByValidation) {
  const std::string spec = dir_ + "/payload.yaml";
  for (const auto& [file, text] : std::vector<std::pair<std::string, std::string>>{
           {"/dev/zero", "is a character device"}, {"absent.bin", "no such file"}, {".", "is a directory"}}) {
    std::ofstream(spec) << WithWorkload("  payload:\n    file: " + file + "\n");
    ParseOutcome outcome = ParseExperimentFile(spec, TestSchemas());
    ASSERT_EQ(outcome.diagnostics.size(), 1u) << file;
    const std::string message = outcome.diagnostics[0].ToString();
    EXPECT_NE(message.find(spec + ":5:11: workload.payload.file: "), std::string::npos) << message;
    EXPECT_NE(message.find(text), std::string::npos) << message;
  }
  std::ofstream(dir_ + "/ok.bin") << std::string(100, 'p');  // at least the (default 100-byte) message
  std::ofstream(spec) << WithWorkload("  payload:\n    file: ok.bin\n");
  EXPECT_TRUE(ParseExperimentFile(spec, TestSchemas()).ok());
}

// Before: `${file:DIR}` said "cannot read secret file DIR".
TEST_F(FileLimitsTest, SecretFileThatIsADirectorySaysSo) {
  Result<std::string> resolved = ResolveSecretReferences("${file:" + dir_ + "}");
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(resolved.status().message().find(dir_ + " is a directory"), std::string::npos)
      << resolved.status().message();
}

long MaxRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Bounded fuzz: a few thousand experiment files whose values are replaced by extreme, negative,
// malformed or huge ones. Each must end "ok" (and then within every documented limit) or with
// diagnostics that all carry file:line:col; within 120 s and 256 MiB of extra memory.
TEST(LimitsFuzzTest, MutatedValuesEndOkOrLocated) {
  const std::string base = WithWorkload(
      "  topics: 2\n  partitions: 4\n  producers: 2\n  subscriptions: 3\n  consumers: 2\n  message_size: "
      "1KiB\n"
      "  keys: {distribution: zipf, count: 1000}\n  rate: 10k/s\n  warmup: 1s\n  duration: 10s\n"
      "  drain_timeout: 2s\n  max_backlog: 1000\n");
  const std::regex value(R"(: ([^\n{}]+)\n|count: ([0-9]+)\})");
  std::vector<std::pair<size_t, size_t>> spans;  // offsets of the values that can be replaced
  for (auto it = std::sregex_iterator(base.begin(), base.end(), value); it != std::sregex_iterator(); ++it) {
    const int group = (*it)[1].matched ? 1 : 2;
    spans.emplace_back(static_cast<size_t>(it->position(group)), static_cast<size_t>(it->length(group)));
  }
  ASSERT_GT(spans.size(), 10u);
  const std::vector<std::string> values = {"0",
                                           "-1",
                                           "1",
                                           "2147483648",
                                           "9223372036854775807",
                                           "99999999999999999999",
                                           "1e12",
                                           "1e308",
                                           "nan",
                                           "2562047h",
                                           "106751d",
                                           "0ns",
                                           "1ns",
                                           "-5s",
                                           "1000000000",
                                           "100000",
                                           "10G/s",
                                           "0/s",
                                           "max",
                                           "1PiB",
                                           "\"\"",
                                           "[]",
                                           "{}",
                                           "~",
                                           "1.5",
                                           "0x10",
                                           "9999999999999GiB",
                                           "1h1h",
                                           "\xff\xfe",
                                           "&a",
                                           "*a"};
  std::mt19937_64 rng(10);
  const long rss_before = MaxRssKiB();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int ok = 0, rejected = 0, cases = 0;
  for (; cases < 3000 && std::chrono::steady_clock::now() < deadline; ++cases) {
    std::string text = base;
    // Replace 1-3 values, from the last offset backwards so earlier offsets stay valid.
    std::vector<size_t> picks;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) picks.push_back(rng() % spans.size());
    std::sort(picks.rbegin(), picks.rend());
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
    for (size_t pick : picks)
      text.replace(spans[pick].first, spans[pick].second, values[rng() % values.size()]);
    ParseOutcome outcome;
    ASSERT_NO_THROW(outcome = ParseExperiment(text, "fuzz.yaml", TestSchemas())) << text;
    if (outcome.ok()) {
      ++ok;
      const WorkloadSpec& w = outcome.experiment.workload;
      ASSERT_LE(w.partitions, kMaxPartitions) << text;
      ASSERT_LE(int64_t{w.topics} * w.partitions, kMaxStreams) << text;
      ASSERT_LE(w.producers, kMaxProducers) << text;
      ASSERT_GE(w.consumers, 1) << text;
      ASSERT_LE(w.consumers, kMaxConsumers) << text;
      ASSERT_GE(w.subscriptions, 1) << text;
      ASSERT_LE(w.subscriptions, kMaxSubscriptions) << text;
      ASSERT_LE(w.consumer_threads(), kMaxConsumers) << text;
      ASSERT_LE(w.keys.count, kMaxKeyCount) << text;
      ASSERT_LE(w.warmup_ns, kMaxDurationNs) << text;
      ASSERT_LE(w.duration_ns, kMaxDurationNs) << text;
      continue;
    }
    ++rejected;
    for (const Diagnostic& d : outcome.diagnostics) {
      ASSERT_GT(d.location.line, 0) << text << "\n" << d.ToString();
      ASSERT_EQ(d.ToString().rfind("fuzz.yaml:", 0), 0u) << d.ToString();
    }
  }
  std::printf("fuzzed experiments: %d cases, %d ok, %d rejected with a location\n", cases, ok, rejected);
  EXPECT_GE(cases, 1000);
  EXPECT_GT(ok, 10);
  EXPECT_GT(rejected, 100);
  EXPECT_LT(MaxRssKiB() - rss_before, 256 * 1024);
}

}  // namespace
}  // namespace bakeoff
