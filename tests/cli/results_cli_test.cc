// Results features through the real binary: thresholds and their exit code, matrix and repeats with
// exports and the report, compare, result stores.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "results/hdr_log.h"
#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

constexpr const char* kThresholdRun = R"(name: cli-thresholds
systems:
  - name: mem
    driver: memory
workload:
  partitions: 2
  message_size: 64B
  rate: 5k/s
  warmup: 100ms
  duration: 1s
thresholds:
  all:
    accounting.lost: "== 0"
    throughput.received_msgs_per_s: "> 1M"
  mem:
    e2e_latency.corrected.p99: "< 10s"
)";

TEST(ResultsCliTest, FailingThresholdExitsFourAndSaysByHowMuch) {
  const std::string path = WriteFile("thresholds.yaml", kThresholdRun);
  const std::string out = testing::TempDir() + "/cli-thresholds-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out, "--quiet"});
  EXPECT_EQ(o.exit_code, 4) << o.out << o.err;
  EXPECT_NE(o.out.find("\u2713 accounting.lost == 0: 0"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\u2717 throughput.received_msgs_per_s > 1M:"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("short of the limit"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("thresholds: 2 passed, 1 failed"), std::string::npos) << o.out;
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in.good());
  const auto result = nlohmann::json::parse(in);
  const auto& thresholds = result["runs"][0]["thresholds"];
  ASSERT_EQ(thresholds.size(), 3u);
  EXPECT_EQ(thresholds[1]["metric"], "throughput.received_msgs_per_s");
  EXPECT_EQ(thresholds[1]["passed"], false);
  EXPECT_GT(thresholds[1]["actual"].get<double>(), 1000.0);
  EXPECT_EQ(thresholds[2]["passed"], true);
}

TEST(ResultsCliTest, UnknownThresholdMetricIsAValidationError) {
  std::string text = kThresholdRun;
  text.replace(text.find("accounting.lost"), 15, "accounting.lozt");
  const std::string path = WriteFile("bad-threshold.yaml", text);
  Outcome o = RunBakeoff({"run", path, "--quiet"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("bad-threshold.yaml:13:5:"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("did you mean `accounting.lost`?"), std::string::npos) << o.err;
}

constexpr const char* kMatrixRun = R"(name: cli-matrix
systems:
  - name: mem-a
    driver: memory
  - name: mem-b
    driver: memory
    options:
      queue_depth: 4096
workload:
  partitions: 2
  message_size: 100B
  rate: 4k/s
  warmup: 100ms
  duration: 1s
  drain_timeout: 2s
repeat: 2
matrix:
  workload.message_size: [100B, 1KiB]
)";

// Renders `html_path` in headless Chromium: the DOM after load, and a screenshot.
struct Rendered {
  std::string dom;
  std::uintmax_t png_bytes = 0;
};

Rendered RenderInChromium(const std::string& html_path) {
  const std::string profile = testing::TempDir() + "/chromium-profile-" + std::to_string(getpid());
  fs::remove_all(profile);
  fs::create_directories(profile);
  const std::string png = testing::TempDir() + "/report-" + std::to_string(getpid()) + ".png";
  fs::remove(png);
  const std::vector<std::string> common = {"--headless",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--disable-quic",
                                           "--no-first-run",
                                           "--disable-background-networking",
                                           "--disable-component-update",
                                           "--disable-sync",
                                           "--user-data-dir=" + profile};
  Rendered rendered;
  std::vector<std::string> dump = common;
  dump.push_back("--dump-dom");
  dump.push_back("file://" + html_path);
  Outcome d = Child(dump, "chromium").Wait(std::chrono::seconds(90));
  EXPECT_EQ(d.exit_code, 0) << d.err;
  rendered.dom = d.out;
  std::vector<std::string> shot = common;
  shot.push_back("--screenshot=" + png);
  shot.push_back("--window-size=1200,2000");
  shot.push_back("file://" + html_path);
  Outcome s = Child(shot, "chromium").Wait(std::chrono::seconds(90));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  std::error_code ec;
  rendered.png_bytes = fs::file_size(png, ec);
  fs::remove_all(profile);
  return rendered;
}

TEST(ResultsCliTest, MatrixOfTwoSizesTwoSystemsTwoRepeats) {
  const std::string path = WriteFile("matrix.yaml", kMatrixRun);
  const std::string out = testing::TempDir() + "/cli-matrix-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out, "--quiet"});
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("across repeats (mean ± 95% confidence half-width)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("mem-b [workload.message_size=1KiB] (n=2)"), std::string::npos) << o.out;

  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in.good());
  const auto result = nlohmann::json::parse(in);
  ASSERT_EQ(result["runs"].size(), 8u);
  EXPECT_EQ(result["runs"][7]["matrix_point"]["workload.message_size"], "1KiB");
  EXPECT_EQ(result["runs"][7]["repeat_index"], 1);
  EXPECT_EQ(result["runs"][7]["system"], "mem-b");
  EXPECT_EQ(result["runs"][0]["metrics"]["accounting"]["received"],
            result["runs"][0]["metrics"]["accounting"]["sent"]);
  // The 1 KiB point moves ten times the bytes of the 100 B point at the same message rate.
  EXPECT_GT(result["runs"][7]["metrics"]["throughput"]["received_mb_per_s"].get<double>(),
            5 * result["runs"][0]["metrics"]["throughput"]["received_mb_per_s"].get<double>());
  ASSERT_EQ(result["summary"].size(), 4u);
  for (const auto& entry : result["summary"]) {
    EXPECT_EQ(entry["repeats"], 2);
    const auto& m = entry["metrics"]["throughput.received_msgs_per_s"];
    EXPECT_EQ(m["n"], 2);
    EXPECT_LE(m["ci95_low"].get<double>(), m["mean"].get<double>());
    EXPECT_GE(m["ci95_high"].get<double>(), m["mean"].get<double>());
    EXPECT_GT(m["mean"].get<double>(), 3000);
  }

  const std::string csv = Slurp(out + "/results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 9) << csv;  // header + 8 runs
  EXPECT_NE(csv.find("cli-matrix,mem-b,memory,existing,ok,1,workload.message_size=1KiB,1,"),
            std::string::npos)
      << csv;

  for (size_t i = 0; i < 8; ++i) {
    const std::string hlog = out + "/" + result["runs"][i]["hlog"].get<std::string>();
    auto parsed = bakeoff::ParseHlog(Slurp(hlog));
    ASSERT_TRUE(parsed.ok()) << hlog << ": " << parsed.status().ToString();
    // Corrected tags per second, uncorrected over the whole window; the seconds add up to the run.
    std::map<std::string, uint64_t> counts;
    for (const auto& interval : *parsed) counts[interval.tag] += interval.histogram.total_count();
    EXPECT_EQ(counts.size(), 4u);
    EXPECT_EQ(counts["e2e_corrected"],
              result["runs"][i]["metrics"]["e2e_latency_ns"]["corrected"]["count"].get<uint64_t>());
  }

  const std::string report = out + "/report.html";
  ASSERT_TRUE(fs::exists(report));
  Rendered page = RenderInChromium(fs::absolute(report).string());
  for (const char* id :
       {"chart-throughput", "chart-spectrum-corrected", "chart-spectrum-uncorrected", "chart-bars-throughput",
        "chart-bars-e2e-p99", "table-overview", "table-accounting", "table-environment"}) {
    EXPECT_NE(page.dom.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_GE(std::count(page.dom.begin(), page.dom.end(), '\n'), 50);
  EXPECT_NE(page.dom.find("<polyline"), std::string::npos);
  EXPECT_GT(page.png_bytes, 30000u) << "the screenshot should show charts, not an empty page";
}

std::string CompareExperiment(const std::string& name, const std::string& options) {
  return "name: " + name + "\nsystems:\n  - name: mem\n    driver: memory\n" + options +
         "workload:\n  partitions: 1\n  message_size: 64B\n  rate: 4k/s\n  warmup: 100ms\n  duration: 1s\n"
         "  drain_timeout: 2s\nrepeat: 3\n";
}

// `expected_exit`: 0, or 5 for a throttled system that cannot hold the rate (not_sustained).
std::string RunForCompare(const std::string& name, const std::string& options, int expected_exit = 0) {
  const std::string path = WriteFile(name + ".yaml", CompareExperiment(name, options));
  const std::string out = testing::TempDir() + "/" + name + "-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out, "--quiet"});
  EXPECT_EQ(o.exit_code, expected_exit) << o.err;
  return out;
}

std::string LineOf(const std::string& text, const std::string& start) {
  const size_t at = text.find("\n" + start);
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST(ResultsCliTest, CompareMarksRealDifferencesSignificantOnly) {
  const std::string unlimited = RunForCompare("cmp-unlimited", "");
  const std::string again = RunForCompare("cmp-unlimited-again", "");
  const std::string limited = RunForCompare("cmp-limited", "    options:\n      max_msgs_per_s: 1500\n", 5);

  Outcome different = RunBakeoff({"compare", unlimited, limited});
  ASSERT_EQ(different.exit_code, 0) << different.err;
  const std::string throughput = LineOf(different.out, "throughput.received_msgs_per_s");
  EXPECT_NE(throughput.find(" significant (p"), std::string::npos) << different.out;
  EXPECT_EQ(throughput.find("not significant"), std::string::npos) << different.out;
  EXPECT_NE(throughput.find("-6"), std::string::npos) << "about -60%: " << different.out;
  EXPECT_NE(different.out.find("cmp-unlimited-out: mem (n=3)"), std::string::npos) << different.out;

  Outcome same = RunBakeoff({"compare", unlimited, again});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(LineOf(same.out, "throughput.received_msgs_per_s").find("not significant"), std::string::npos)
      << same.out;
  EXPECT_EQ(LineOf(same.out, "accounting.lost"), "") << "0 lost on both sides: no row\n" << same.out;

  // One repeat only: said plainly.
  Outcome single = RunBakeoff({"compare", testing::TempDir() + "/cli-thresholds-out", unlimited});
  if (single.exit_code == 0 && single.out.find("thresholds") != std::string::npos) {
    EXPECT_NE(single.out.find("not significant (1 repeat)"), std::string::npos) << single.out;
  }

  // `bakeoff report` merges several results into one page.
  const std::string merged = testing::TempDir() + "/merged-report.html";
  Outcome report = RunBakeoff({"report", unlimited, limited, "-o", merged});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string html = Slurp(merged);
  EXPECT_NE(html.find("cmp-unlimited + cmp-limited"), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-spectrum-corrected\""), std::string::npos);

  Outcome missing = RunBakeoff({"compare", unlimited, "/nonexistent-result"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no result at /nonexistent-result"), std::string::npos) << missing.err;
}

}  // namespace
