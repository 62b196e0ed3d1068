// Hardening through the real binary and the library calls it makes (issue 10, points 2, 5 and 7):
// output problems are caught before anything is provisioned, two runs in one second get their own
// directories, no temp file is left behind, corrupt results give exit 2 naming the file and field,
// and usage mistakes are named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "results/exports.h"
#include "results/output_check.h"
#include "run/experiment_runner.h"
#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

class HardeningTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(testing::TempDir()) / ("hardening-" + std::to_string(getpid())))
               .lexically_normal()
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Spec() {
    const std::string path = dir_ + "/tiny.yaml";
    std::ofstream(path) << "name: tiny\nsystems:\n  - name: mem\n    driver: memory\nworkload:\n"
                           "  rate: 1k/s\n  warmup: 0s\n  duration: 100ms\n";
    return path;
  }
  std::string dir_;
};

// Before: each of these ran the whole experiment and failed writing (exit 3) or wrote nothing.
TEST_F(HardeningTest, OutputDirProblemsAreFoundBeforeProvisioning) {
  const std::string file = dir_ + "/a-file";
  std::ofstream(file) << "x";
  EXPECT_TRUE(bakeoff::CheckOutputDir(dir_ + "/new/sub").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/new"));  // nothing created
  const std::vector<std::pair<std::string, std::string>> cases = {
      {file + "/sub", file + " is a file, not a directory"},
      {file, "exists and is not a directory"},
      {dir_ + "/" + std::string(300, 'n'), "more than the 255 a file name may have"},
      {"/proc/1/bakeoff-out", "cannot write in /proc/1"},
  };
  for (const auto& [path, text] : cases) {
    bakeoff::Status st = bakeoff::CheckOutputDir(path);
    ASSERT_FALSE(st.ok()) << path;
    EXPECT_NE(st.message().find(text), std::string::npos) << st.message();
  }
  bakeoff::Status full = bakeoff::CheckOutputDir(dir_, uint64_t{1} << 62);
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.message().find("MiB free on its file system"), std::string::npos) << full.message();

  const auto start = std::chrono::steady_clock::now();
  Outcome o = Child({"run", Spec(), "-o", file + "/sub", "--quiet"}).Wait();
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find(file + " is a file"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("experiment tiny"), std::string::npos) << "started the run: " << o.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

// Before: the second of two runs started in the same second overwrote the first.
TEST_F(HardeningTest, RunsInTheSameSecondGetDifferentDirectories) {
  std::set<std::string> dirs;
  for (int i = 0; i < 5; ++i) dirs.insert(bakeoff::DefaultOutputDir(dir_ + "/results", "same"));
  EXPECT_EQ(dirs.size(), 5u);
  for (const std::string& d : dirs) EXPECT_TRUE(fs::is_directory(d)) << d;
}

// Before: a failed write left .<name>.tmp beside the target; `report -o DIR` left DIR/../.DIR.tmp.
TEST_F(HardeningTest, NoTempFileIsLeftBehind) {
  fs::create_directories(dir_ + "/occupied");
  bakeoff::Status st = bakeoff::WriteFileAtomically(dir_ + "/occupied", "text");  // rename onto a dir fails
  EXPECT_FALSE(st.ok());
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().extension(), "") << entry.path();  // no .tmp

  Outcome run = Child({"run", Spec(), "-o", dir_ + "/r1", "--quiet"}).Wait();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  fs::create_directories(dir_ + "/out");
  Outcome report = Child({"report", dir_ + "/r1", "-o", dir_ + "/out"}).Wait();
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_TRUE(fs::exists(dir_ + "/out/report.html"));
  for (const auto& entry : fs::recursive_directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
}

// Before: `report` and `compare` on a corrupt result.json exited 1 ("internal error") or compared nothing.
TEST_F(HardeningTest, CorruptResultsExitTwoNamingFileAndField) {
  fs::create_directories(dir_ + "/bad");
  std::ofstream(dir_ + "/bad/result.json") << R"({"runs": [{"system": 5}]})";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"report", dir_ + "/bad", "-o", dir_ + "/r.html"},
        std::vector<std::string>{"compare", dir_ + "/bad"}}) {
    Outcome o = Child(args).Wait();
    EXPECT_EQ(o.exit_code, 2) << args[0] << ": " << o.err;
    EXPECT_NE(o.err.find(dir_ + "/bad/result.json: runs[0].system: expected a string, got number"),
              std::string::npos)
        << o.err;
  }
  // A listing goes on: the corrupt directory is skipped with a warning.
  fs::create_directories(dir_ + "/store/bad");
  fs::copy_file(dir_ + "/bad/result.json", dir_ + "/store/bad/result.json");
  Outcome list = Child({"results", "list", "--store", dir_ + "/store"}).Wait();
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.err.find("warning: skipped " + dir_ + "/store/bad"), std::string::npos) << list.err;
  std::ofstream(dir_ + "/store/index.sqlite", std::ios::trunc) << std::string(4096, 'Z');
  Outcome reindex = Child({"results", "reindex", "--store", dir_ + "/store"}).Wait();
  EXPECT_EQ(reindex.exit_code, 0) << reindex.err;
  EXPECT_NE(reindex.err.find("moved to " + dir_ + "/store/index.sqlite.corrupt-"), std::string::npos)
      << reindex.err;
}

// Before: "internal error"-free but unhelpful: `validate DIR` said "cannot read", an unknown subcommand
// was not named.
TEST_F(HardeningTest, UsageMistakesAreNamed) {
  Outcome dir = Child({"validate", dir_}).Wait();
  EXPECT_EQ(dir.exit_code, 2);
  EXPECT_NE((dir.out + dir.err).find(dir_ + " is a directory"), std::string::npos) << dir.out << dir.err;
  Outcome unknown = Child({"frobnicate"}).Wait();
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("frobnicate"), std::string::npos) << unknown.err;
}

}  // namespace
