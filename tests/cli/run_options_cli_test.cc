// `bakeoff run` options (issue 9, point 8): --set overrides, --system, --output with --force, and
// results going to $BAKEOFF_RESULTS_DIR by default. Through the real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

class RunOptionsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(testing::TempDir()) / ("run-options-" + std::to_string(getpid())))
               .lexically_normal()
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    spec_ = dir_ + "/two.yaml";
    std::ofstream(spec_) << "name: two\nsystems:\n  - name: alpha\n    driver: memory\n"
                            "  - name: beta\n    driver: memory\nworkload:\n"
                            "  rate: 2k/s\n  warmup: 0s\n  duration: 200ms\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  static nlohmann::json Load(const std::string& dir) {
    std::ifstream in(dir + "/result.json");
    return nlohmann::json::parse(in);
  }
  std::string dir_;
  std::string spec_;
};

TEST_F(RunOptionsTest, SetOverridesAValueBeforeValidation) {
  const std::string out = dir_ + "/set";
  Outcome o = Child({"run", spec_, "-o", out, "--quiet", "--set", "workload.duration=300ms", "--set",
                     "systems.beta.options.max_msgs_per_s=100000"})
                  .Wait();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json result = Load(out);
  EXPECT_EQ(result["experiment"]["workload"]["duration_ns"], 300'000'000);

  // A value the schema refuses is reported like one in the file, naming the field.
  Outcome bad = Child({"run", spec_, "-o", dir_ + "/bad", "--set", "workload.partitions=0"}).Wait();
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("partitions"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir_ + "/bad"));
  Outcome nowhere = Child({"run", spec_, "--set", "systems.gamma.options.x=1"}).Wait();
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_NE(nowhere.err.find("--set systems.gamma.options.x: cannot put a value there"), std::string::npos)
      << nowhere.err;
  Outcome shape = Child({"run", spec_, "--set", "workload.duration"}).Wait();
  EXPECT_EQ(shape.exit_code, 2);
  EXPECT_NE(shape.err.find("write PATH=VALUE"), std::string::npos) << shape.err;
}

TEST_F(RunOptionsTest, SystemRunsOnlyTheNamedSystems) {
  const std::string out = dir_ + "/only-beta";
  Outcome o = Child({"run", spec_, "-o", out, "--quiet", "--system", "beta"}).Wait();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const nlohmann::json result = Load(out);
  ASSERT_EQ(result["runs"].size(), 1u);
  EXPECT_EQ(result["runs"][0]["system"], "beta");

  Outcome typo = Child({"run", spec_, "--system", "betta"}).Wait();
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("--system betta: the experiment has no such system"), std::string::npos)
      << typo.err;
  EXPECT_NE(typo.err.find("`beta`"), std::string::npos) << typo.err;
}

TEST_F(RunOptionsTest, OutputRefusesToReplaceAResultWithoutForce) {
  const std::string out = dir_ + "/same";
  ASSERT_EQ(Child({"run", spec_, "-o", out, "--quiet", "--system", "alpha"}).Wait().exit_code, 0);
  const std::string first = Load(out)["started_unix_ns"].dump();
  Outcome again = Child({"run", spec_, "-o", out, "--quiet"}).Wait();
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("result.json exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(Load(out)["started_unix_ns"].dump(), first);  // untouched
  Outcome forced = Child({"run", spec_, "-o", out, "--quiet", "--force"}).Wait();
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(Load(out)["started_unix_ns"].dump(), first);
  EXPECT_EQ(Load(out)["runs"].size(), 2u);
}

TEST_F(RunOptionsTest, ResultsGoToBakeoffResultsDirByDefault) {
  const std::string store = dir_ + "/store";
  Outcome o =
      Child({"run", spec_, "--quiet", "--system", "alpha"}, "", {"BAKEOFF_RESULTS_DIR=" + store}).Wait();
  ASSERT_EQ(o.exit_code, 0) << o.err;
  ASSERT_TRUE(fs::exists(store + "/index.sqlite")) << o.err;
  int results = 0;
  for (const auto& entry : fs::directory_iterator(store)) {
    if (fs::exists(entry.path() / "result.json")) ++results;
  }
  EXPECT_EQ(results, 1);
  EXPECT_NE(o.out.find(store), std::string::npos) << o.out;
  Outcome listed = Child({"results", "list"}, "", {"BAKEOFF_RESULTS_DIR=" + store}).Wait();
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("two"), std::string::npos) << listed.out;
}

}  // namespace
