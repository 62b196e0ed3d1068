// The corpus of bad experiment files under tests/data/spec/bad/, and robustness against mangled input.
//
// Each bad file lists the diagnostics it must produce, in order, as comment lines
//   # expect: <line>:<col> <field path or -> <text the diagnostic must contain>
// or, for files that cannot hold comments, the same lines (without "# ") in <name>.expect.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "spec/parser.h"
#include "spec/test_schemas.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;
using spec_test::TestSchemas;

fs::path CorpusDir() {
  if (const char* root = std::getenv("BAKEOFF_SOURCE_DIR"); root != nullptr && *root != '\0') {
    return fs::path(root) / "tests/data/spec";
  }
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "tests/data/spec";
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Expectation {
  int line = 0;
  int column = 0;
  std::string field_path;
  std::string text;
};

// Reads "expect: L:C path text" lines; `prefix` is "# " inside YAML files and "" in .expect files.
std::vector<Expectation> ReadExpectations(const std::string& content, const std::string& prefix) {
  std::vector<Expectation> expectations;
  std::istringstream lines(content);
  std::string line;
  const std::string marker = prefix + "expect:";
  while (std::getline(lines, line)) {
    if (line.rfind(marker, 0) != 0) continue;
    std::istringstream fields(line.substr(marker.size()));
    Expectation e;
    std::string location;
    fields >> location >> e.field_path;
    if (e.field_path == "-") e.field_path.clear();
    std::getline(fields, e.text);
    e.text.erase(0, e.text.find_first_not_of(' '));
    char colon = 0;
    std::istringstream(location) >> e.line >> colon >> e.column;
    expectations.push_back(e);
  }
  return expectations;
}

std::string Describe(const ParseOutcome& outcome) {
  std::string text;
  for (const Diagnostic& d : outcome.diagnostics) text += "  " + d.ToString() + "\n";
  return text;
}

TEST(BadCorpusTest, EveryFileGivesTheExpectedDiagnostics) {
  fs::path dir = CorpusDir() / "bad";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 15u) << "corpus went missing from " << dir;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    fs::path sidecar = fs::path(file).replace_extension(".expect");
    std::vector<Expectation> expected = fs::exists(sidecar) ? ReadExpectations(ReadText(sidecar), "")
                                                            : ReadExpectations(ReadText(file), "# ");
    ASSERT_FALSE(expected.empty()) << "no expectations for " << file;
    ParseOutcome outcome = ParseExperimentFile(file.string(), TestSchemas());
    ASSERT_EQ(outcome.diagnostics.size(), expected.size()) << Describe(outcome);
    for (size_t i = 0; i < expected.size(); ++i) {
      const Diagnostic& got = outcome.diagnostics[i];
      const Expectation& want = expected[i];
      std::string rendered = got.ToString();
      EXPECT_EQ(got.location.file, file.string());
      EXPECT_EQ(got.location.line, want.line) << rendered;
      EXPECT_EQ(got.location.column, want.column) << rendered;
      EXPECT_EQ(got.field_path, want.field_path) << rendered;
      EXPECT_NE(rendered.find(want.text), std::string::npos) << "want `" << want.text << "` in " << rendered;
    }
  }
}

TEST(GoodCorpusTest, EveryFileParses) {
  fs::path dir = CorpusDir() / "good";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    ParseOutcome outcome = ParseExperimentFile(entry.path().string(), TestSchemas());
    EXPECT_TRUE(outcome.ok()) << entry.path() << "\n" << Describe(outcome);
  }
  EXPECT_GT(count, 0);
}

// Mangled versions of a good file: every truncation, random byte flips, random YAML punctuation.
// Each must return, with or without diagnostics, and never throw.
TEST(FuzzTest, MangledInputNeverThrows) {
  std::string good = ReadText(CorpusDir() / "good/full.yaml");
  ASSERT_FALSE(good.empty());
  int failures = 0;
  auto parse = [&failures](const std::string& text) {
    ParseOutcome outcome;
    EXPECT_NO_THROW(outcome = ParseExperiment(text, "fuzz.yaml", TestSchemas()));
    if (!outcome.ok()) ++failures;
    for (const Diagnostic& d : outcome.diagnostics) EXPECT_FALSE(d.message.empty());
  };
  for (size_t length = 0; length <= good.size(); ++length) parse(good.substr(0, length));

  std::mt19937 random(12345);
  const std::string punctuation = ":-[]{}&*!|>'\"#%@`,? \n\t\x01\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text = good;
    int edits = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < edits; ++i) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          text[at] = punctuation[random() % punctuation.size()];
          break;
        default:
          text.erase(at, 1 + random() % 8);
          break;
      }
      if (text.empty()) text = "x";
    }
    parse(text);
  }
  EXPECT_GT(failures, 0);  // the mutations do reach validation errors
}

}  // namespace
}  // namespace bakeoff
