#include "tools/layering/layering.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bakeoff::layering {
namespace {
namespace fs = std::filesystem;

std::string SourceDir() {
  const char* dir = std::getenv("BAKEOFF_SOURCE_DIR");
  return dir ? dir : ".";
}

constexpr const char* kTable = "base:\nspec: base\ndrivers: base spec\nenv: base spec\nresults: base\n";

class TempTree {
 public:
  TempTree()
      : root_(fs::temp_directory_path() / ("layering-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(root_);
  }
  ~TempTree() { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(LayeringTest, TheTreeKeepsToItsTable) {
  std::ifstream in(SourceDir() + "/src/layers.txt");
  ASSERT_TRUE(in.good()) << "src/layers.txt";
  std::stringstream text;
  text << in.rdbuf();
  Result<LayerTable> table = ParseLayerTable(text.str());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const std::vector<Violation> violations = CheckTree(SourceDir() + "/src", *table);
  for (const Violation& v : violations)
    ADD_FAILURE() << "src/" << v.file << ":" << v.line << ": " << v.message;
  EXPECT_GE(table->modules.size(), 10u);
}

TEST(LayeringTest, AnUpwardIncludeIsCaughtWithItsLine) {
  TempTree tree;
  tree.Write("env/provider.h", "#pragma once\n");
  tree.Write("drivers/driver.h",
             "#pragma once\n#include <map>\n\n#include \"spec/experiment.h\"\n#include \"env/provider.h\"\n");
  tree.Write("spec/experiment.h", "#pragma once\n#include \"base/status.h\"\n");
  tree.Write("base/status.h", "#pragma once\n");
  Result<LayerTable> table = ParseLayerTable(kTable);
  ASSERT_TRUE(table.ok());
  const std::vector<Violation> v = CheckTree(tree.root(), *table);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].file, "drivers/driver.h");
  EXPECT_EQ(v[0].line, 5);
  EXPECT_EQ(v[0].message, "drivers may not include env (env/provider.h)");
}

TEST(LayeringTest, SidewaysIncludesAndTestFilesAreTold) {
  TempTree tree;
  tree.Write("env/provider.h", "#pragma once\n#include \"drivers/driver.h\"\n");  // sideways: not allowed
  tree.Write("drivers/driver.h", "#pragma once\n");
  tree.Write("drivers/driver_test.cc", "#include \"env/provider.h\"\n");  // test code may reach across
  Result<LayerTable> table = ParseLayerTable(kTable);
  ASSERT_TRUE(table.ok());
  const std::vector<Violation> v = CheckTree(tree.root(), *table);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].file, "env/provider.h");
}

TEST(LayeringTest, AComponentCycleInsideAModuleIsCaught) {
  TempTree tree;
  tree.Write("results/report.h", "#pragma once\n");
  tree.Write("results/report.cc", "#include \"results/report.h\"\n#include \"results/stats.h\"\n");
  tree.Write("results/stats.h", "#pragma once\n");
  tree.Write("results/stats.cc", "#include \"results/stats.h\"\n#include \"results/json.h\"\n");
  tree.Write("results/json.h", "#pragma once\n");
  tree.Write("results/json.cc", "#include \"results/json.h\"\n#include \"results/report.h\"\n");
  Result<LayerTable> table = ParseLayerTable(kTable);
  ASSERT_TRUE(table.ok());
  const std::vector<Violation> v = CheckTree(tree.root(), *table);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].message.find("include cycle: "), std::string::npos) << v[0].message;
  EXPECT_NE(v[0].message.find("results/report"), std::string::npos) << v[0].message;
  EXPECT_NE(v[0].message.find("results/json"), std::string::npos) << v[0].message;
}

TEST(LayeringTest, ATableMayOnlyPointDownward) {
  Result<LayerTable> table = ParseLayerTable("base: spec\nspec: base\n");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("line 1"), std::string::npos) << table.status().message();
}

}  // namespace
}  // namespace bakeoff::layering
