// Corrupt, foreign and hand-edited result.json files and index.sqlite files (issue 10, point 2): every
// reader gets an error naming the file and field, or a warning where a listing goes on, never an
// exception. Includes the bounded fuzz test over mutated result.json files for the report, compare
// and index code paths.
#include "results/result_check.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "results/compare.h"
#include "results/index_store.h"
#include "results/report_html.h"
#include "results/result_json.h"

namespace bakeoff {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ExperimentResult ValidResult() {
  ExperimentResult result;
  result.experiment.name = "check";
  for (int r = 0; r < 2; ++r) {
    RunRecord run;
    run.system = "mem";
    run.driver = "memory";
    run.repeat_index = r;
    run.has_metrics = true;
    run.metrics.measured_ns = 1'000'000'000;
    run.metrics.measured_received = 1000 + r;
    for (int i = 1; i < 100; ++i) run.metrics.e2e.corrected.Record(i * 1000);
    run.metrics.series.push_back(SecondSample{.t_s = 1, .received = 1000});
    result.runs.push_back(run);
  }
  return result;
}

class ResultCheckTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TempDir() + "/result-check-" + std::to_string(getpid());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Write(const std::string& id, const std::string& text) {
    fs::create_directories(root_ + "/" + id);
    std::ofstream(root_ + "/" + id + "/result.json", std::ios::binary) << text;
    return root_ + "/" + id;
  }
  std::string root_;
};

// Before: `report`/`compare` died with "internal error" (a type_error) or compared nothing.
TEST_F(ResultCheckTest, CorruptResultsNameTheFileAndField) {
  json valid = ResultToJson(ValidResult());
  json lost_string = valid;
  lost_string["runs"][1]["metrics"]["accounting"]["lost"] = "many";
  json started_string = valid;
  started_string["started_unix_ns"] = "yesterday";
  json runs_string = valid;
  runs_string["runs"] = "x";
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[1,2,3]", "the top level: expected an object, got array"},
      {"null", "the top level: expected an object, got null"},
      {deep, "nesting deeper than 64"},
      {runs_string.dump(), "runs: expected an array, got string"},
      {lost_string.dump(), "runs[1].metrics.accounting.lost: expected an integer, got string"},
      {started_string.dump(), "started_unix_ns: expected a number, got string"},
      {"{\"runs\": [1]}", "runs[0]: expected an object, got number"},
      {"{}", "runs: missing"},
      {"{\"runs\": [", "not valid JSON"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string dir = Write("case" + std::to_string(i), cases[i].first);
    Result<json> loaded = LoadResultFile(dir);
    ASSERT_FALSE(loaded.ok()) << cases[i].second;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(loaded.status().message().find(dir + "/result.json"), std::string::npos)
        << loaded.status().message();
    EXPECT_NE(loaded.status().message().find(cases[i].second), std::string::npos)
        << loaded.status().message();
  }
  Result<json> good = LoadResultFile(Write("good", valid.dump()));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_NE(RenderReportHtml({*good}).find("table-overview"), std::string::npos);
}

TEST_F(ResultCheckTest, OnlyRegularFilesAreRead) {
  Result<json> dev = LoadResultFile("/dev/zero");
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.status().message().find("not a regular file"), std::string::npos);
  EXPECT_EQ(LoadResultFile(root_ + "/absent").status().code(), StatusCode::kNotFound);
}

// Before: a corrupt index.sqlite made every `results` command fail (exit 3) until deleted by hand, and
// a dropped table gave an empty listing.
TEST_F(ResultCheckTest, CorruptOrForeignIndexIsMovedAsideAndRebuilt) {
  Write("r-good", ResultToJson(ValidResult()).dump());
  Write("r-bad", "[1,2,3]");
  const std::string index_file = root_ + "/index.sqlite";
  {
    std::vector<std::string> warnings;
    Result<ResultIndex> index = ResultIndex::Open(root_, &warnings);
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("skipped " + root_ + "/r-bad: " + root_ + "/r-bad/result.json: the top level"),
              std::string::npos)
        << warnings[0];
  }
  std::string valid_db;
  {
    std::ifstream in(index_file, std::ios::binary);
    valid_db.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::mt19937 rng(7);
  std::string random_bytes(8192, '\0');
  for (char& c : random_bytes) c = static_cast<char>(rng());
  const std::vector<std::pair<std::string, std::string>> corruptions = {
      {"random bytes", random_bytes},
      {"truncated", valid_db.substr(0, valid_db.size() / 2)},
  };
  for (const auto& [what, bytes] : corruptions) {
    for (const auto& entry : fs::directory_iterator(root_))
      if (entry.path().filename().string().rfind("index.sqlite.corrupt", 0) == 0) fs::remove(entry.path());
    std::ofstream(index_file, std::ios::binary | std::ios::trunc) << bytes;
    std::vector<std::string> warnings;
    Result<ResultIndex> index = ResultIndex::Open(root_, &warnings);
    ASSERT_TRUE(index.ok()) << what << ": " << index.status().ToString();
    ASSERT_FALSE(warnings.empty()) << what;
    EXPECT_NE(warnings[0].find("moved to " + index_file + ".corrupt-"), std::string::npos) << warnings[0];
    Result<std::vector<IndexedResult>> rows = index->List({});
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u) << what;
  }
  // Another program's table of the same name, and a dropped table.
  for (const char* sql : {"DROP TABLE results; CREATE TABLE results (x INTEGER);", "DROP TABLE results;"}) {
    {
      Result<ResultIndex> index = ResultIndex::Open(root_);
      ASSERT_TRUE(index.ok());
    }
    // Tamper through a second connection the way another program would.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(index_file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
    Result<ResultIndex> index = ResultIndex::Open(root_);
    ASSERT_TRUE(index.ok()) << sql << ": " << index.status().ToString();
    Result<std::vector<IndexedResult>> rows = index->List({});
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u) << sql;
  }
}

// Bounded fuzz: mutated result.json files through LoadResultFile, then (when accepted) every reader.
// Each must end in a located error or a rendered page; never an exception.
TEST_F(ResultCheckTest, FuzzedResultFilesNeverThrow) {
  const std::string base = ResultToJson(ValidResult()).dump();
  const json base_json = json::parse(base);
  std::mt19937_64 rng(20261206);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::vector<json> replacements = {json(),        json("x"),      json(-1),   json(1e300),
                                          json::array(), json::object(), json(true), json({1, 2})};
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 2000 && std::chrono::steady_clock::now() < deadline; ++i) {
    std::string text;
    if (i % 2 == 0) {  // structural: replace one value somewhere with a value of another type
      json doc = base_json;
      json flat = doc.flatten();
      auto it = flat.begin();
      std::advance(it, static_cast<long>(rng() % flat.size()));
      const std::string pointer = it.key();
      std::string target = pointer;
      for (int up = static_cast<int>(rng() % 3); up > 0 && target.rfind('/') != 0; --up)
        target = target.substr(0, target.rfind('/'));
      doc[json::json_pointer(target)] = replacements[rng() % replacements.size()];
      text = doc.dump();
    } else {  // textual: flip, delete or truncate bytes
      text = base;
      for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
        const size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0:
            text[at] = static_cast<char>(rng());
            break;
          case 1:
            text.erase(at, 1 + rng() % 8);
            break;
          default:
            text.resize(at);
            break;
        }
        if (text.empty()) text = "{";
      }
    }
    const std::string dir = Write("fuzz", text);
    try {
      Result<json> loaded = LoadResultFile(dir);
      if (!loaded.ok()) {
        ++rejected;
        ASSERT_NE(loaded.status().message().find(dir + "/result.json"), std::string::npos)
            << loaded.status().message();
        continue;
      }
      ++accepted;
      (void)RenderReportHtml({*loaded});
      (void)RenderComparison({LabelledResult{"a", *loaded}, LabelledResult{"b", *loaded}});
      (void)SummarizeForIndex(*loaded, dir);
    } catch (const std::exception& e) {
      FAIL() << "case " << i << " threw " << e.what() << "\n" << text.substr(0, 2000);
    }
  }
  std::printf("fuzzed result.json: %d accepted, %d rejected with a located error\n", accepted, rejected);
  EXPECT_GT(rejected, 100);
  EXPECT_GT(accepted, 10);
  // The index rebuild over what the last case left never fails as a whole.
  EXPECT_TRUE(ResultIndex::Open(root_).ok());
}

// Before: a plain-text secret in a pass-through map or a driver fact was written verbatim into
// result.json (and so report.html and the service's API).
TEST(ResultRedactionTest, SecretsInPassThroughMapsAndFactsAreRedacted) {
  ExperimentResult result = ValidResult();
  SystemSpec system;
  system.name = "k";
  system.driver = "kafka";
  system.options.Set(
      "producer_config",
      std::map<std::string, std::string>{
          {"sasl.password", "hunter2"}, {"acks", "all"}, {"ssl.key.password", "${env:KEY_PW}"}});
  result.experiment.systems.push_back(system);
  result.runs[0].driver_facts = {{"config.sasl.jaas.config", "x password=\"hunter2\";"},
                                 {"config.acks", "all"}};
  result.runs[0].environment_facts = {{"requirepass", "hunter2"}};
  const std::string text = ResultToJson(result).dump();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text.substr(0, 3000);
  EXPECT_NE(text.find("\"sasl.password\":\"<redacted>\""), std::string::npos);
  EXPECT_NE(text.find("\"config.sasl.jaas.config\":\"<redacted>\""), std::string::npos);
  EXPECT_NE(text.find("${env:KEY_PW}"), std::string::npos);  // a reference names, never reveals
  EXPECT_NE(text.find("\"config.acks\":\"all\""), std::string::npos);
}

}  // namespace
}  // namespace bakeoff
