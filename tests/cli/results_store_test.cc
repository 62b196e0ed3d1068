// The local results store through the real binary: every run is indexed in index.sqlite beside its
// directory; `bakeoff results list|show|reindex` read it, `compare` resolves stored ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

std::string Experiment(const std::string& name, const std::string& system) {
  return "name: " + name + "\nsystems:\n  - name: " + system +
         "\n    driver: memory\nworkload:\n  partitions: 1\n  message_size: 64B\n  rate: 2k/s\n"
         "  warmup: 50ms\n  duration: 300ms\n  drain_timeout: 1s\n";
}

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class ResultsStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::TempDir() + "/store-" + std::to_string(getpid());
    fs::remove_all(store_);
  }
  void TearDown() override { fs::remove_all(store_); }

  void RunInto(const std::string& id, const std::string& name, const std::string& system) {
    const std::string path = WriteFile(id + ".yaml", Experiment(name, system));
    Outcome o = RunBakeoff({"run", path, "--output", store_ + "/" + id, "--quiet"});
    ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
    EXPECT_EQ(o.err.find("not indexed"), std::string::npos) << o.err;
  }

  std::string store_;
};

TEST_F(ResultsStoreTest, RunsAreIndexedListedFilteredAndShown) {
  RunInto("r1-alpha", "store-alpha", "mem-one");
  RunInto("r2-beta", "store-beta", "mem-two");
  ASSERT_TRUE(fs::exists(store_ + "/index.sqlite"));

  Outcome all = RunBakeoff({"results", "list", "--store", store_});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(Lines(all.out), 5u) << all.out;  // header + 2 x (result + its system)
  EXPECT_NE(all.out.find("ID"), std::string::npos) << all.out;
  EXPECT_LT(all.out.find("r1-alpha"), all.out.find("r2-beta")) << "oldest first: " << all.out;
  EXPECT_NE(all.out.find("store-beta"), std::string::npos) << all.out;

  Outcome by_name =
      RunBakeoff({"results", "list", "--name", "store-alpha"}, {"BAKEOFF_RESULTS_DIR=" + store_});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(Lines(by_name.out), 3u) << by_name.out;
  EXPECT_NE(by_name.out.find("r1-alpha"), std::string::npos) << by_name.out;

  Outcome by_system = RunBakeoff({"results", "list", "--store", store_, "--system", "mem-two"});
  ASSERT_EQ(by_system.exit_code, 0) << by_system.err;
  EXPECT_EQ(Lines(by_system.out), 3u) << by_system.out;
  EXPECT_NE(by_system.out.find("r2-beta"), std::string::npos) << by_system.out;

  Outcome future = RunBakeoff({"results", "list", "--store", store_, "--since", "2999-01-01"});
  ASSERT_EQ(future.exit_code, 0) << future.err;
  EXPECT_EQ(future.out, "no results\n");
  Outcome past = RunBakeoff({"results", "list", "--store", store_, "--since", "2000-01-01"});
  EXPECT_EQ(Lines(past.out), 5u) << past.out;
  Outcome bad_date = RunBakeoff({"results", "list", "--store", store_, "--since", "yesterday"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.err.find("expected a UTC date"), std::string::npos) << bad_date.err;

  Outcome show = RunBakeoff({"results", "show", "r2-beta", "--store", store_});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("store-beta"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("throughput.received_msgs_per_s"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find(fs::absolute(store_ + "/r2-beta").lexically_normal().string()), std::string::npos);

  Outcome missing = RunBakeoff({"results", "show", "nope", "--store", store_});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no result `nope`"), std::string::npos) << missing.err;

  // Stored ids work in compare.
  Outcome compare = RunBakeoff({"compare", "r1-alpha", "r2-beta", "--store", store_});
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_NE(compare.out.find("r2-beta"), std::string::npos) << compare.out;

  // The index is derived data: deleted, it is rebuilt lazily; reindex rebuilds on demand.
  fs::remove(store_ + "/index.sqlite");
  Outcome lazy = RunBakeoff({"results", "list", "--store", store_});
  EXPECT_EQ(Lines(lazy.out), 5u) << lazy.out << lazy.err;
  fs::remove_all(store_ + "/r1-alpha");
  Outcome reindex = RunBakeoff({"results", "reindex", "--store", store_});
  ASSERT_EQ(reindex.exit_code, 0) << reindex.err;
  EXPECT_NE(reindex.out.find("indexed 1 result(s)"), std::string::npos) << reindex.out;
  Outcome after = RunBakeoff({"results", "list", "--store", store_});
  EXPECT_EQ(Lines(after.out), 3u) << after.out;
}

// `results show ID` prints the run table `bakeoff run` printed: the same rows and cells, read back from
// result.json and the .hlog files. Latency cells may differ by under 1% where a percentile is the run's
// largest value: the .hlog keeps a histogram's buckets (2 significant digits), not its exact maximum.
TEST_F(ResultsStoreTest, ShowPrintsTheRunTable) {
  const std::string path = WriteFile("show.yaml", Experiment("store-show", "mem-show"));
  Outcome run = RunBakeoff({"run", path, "--output", store_ + "/r-show"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  Outcome show = RunBakeoff({"results", "show", "r-show", "--store", store_});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto table_rows = [](const std::string& text) {
    std::vector<std::string> rows;
    size_t at = 0;
    bool in_table = false;
    while (at < text.size()) {
      const size_t end = text.find('\n', at);
      const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? text.size() : end + 1;
      if (line.rfind("status ", 0) == 0) in_table = true;
      if (line.rfind("latency cells:", 0) == 0) in_table = false;
      if (in_table) rows.push_back(line);
    }
    return rows;
  };
  const std::vector<std::string> printed = table_rows(run.out), shown = table_rows(show.out);
  ASSERT_GE(printed.size(), 15u) << run.out;
  ASSERT_EQ(shown.size(), printed.size()) << "run printed:\n" << run.out << "\nshow printed:\n" << show.out;
  const auto words = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  };
  for (size_t i = 0; i < printed.size(); ++i) {
    const bool latency = printed[i].rfind("publish ", 0) == 0 || printed[i].rfind("e2e ", 0) == 0;
    if (!latency) {
      EXPECT_EQ(shown[i], printed[i]);
      continue;
    }
    const std::vector<std::string> a = words(printed[i]), b = words(shown[i]);
    ASSERT_EQ(a.size(), b.size()) << printed[i] << " vs " << shown[i];
    for (size_t w = 0; w < a.size(); ++w) {
      if (a[w] == b[w]) continue;
      const double x = std::stod(a[w][0] == '(' ? a[w].substr(1) : a[w]);
      const double y = std::stod(b[w][0] == '(' ? b[w].substr(1) : b[w]);
      EXPECT_NEAR(y, x, x * 0.01) << printed[i] << " vs " << shown[i];
    }
  }
  EXPECT_NE(show.out.find("e2e p99 "), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("  mem-show"), std::string::npos) << show.out;  // the list line per system
}

}  // namespace
