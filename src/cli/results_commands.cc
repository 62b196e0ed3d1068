#include "cli/results_commands.h"

#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "results/compare.h"
#include "results/exports.h"
#include "results/index_store.h"
#include "results/report_html.h"
#include "results/run_table_input.h"
#include "results/s3_store.h"
#include "results/statistics.h"
#include "results/summary_table.h"

namespace bakeoff {
namespace {

// A result given on the command line: a directory, a result.json path, or an id in the local store.
Result<LabelledResult> LoadInput(const std::string& input, const std::string& store) {
  std::filesystem::path path(input);
  if (!std::filesystem::exists(path) && !store.empty()) path = std::filesystem::path(store) / input;
  Result<nlohmann::json> loaded = LoadResultFile(path.string());
  if (!loaded.ok()) return loaded.status();
  std::string label = std::filesystem::is_directory(path) ? path.lexically_normal().filename().string()
                                                          : path.parent_path().filename().string();
  if (label.empty()) label = input;
  return LabelledResult{label, std::move(loaded).value()};
}

int Compare(const std::vector<std::string>& inputs, const std::string& store) {
  std::vector<LabelledResult> results;
  for (const std::string& input : inputs) {
    Result<LabelledResult> r = LoadInput(input, store);
    if (!r.ok()) {
      std::cerr << "bakeoff: " << r.status().message() << "\n";
      return kExitBadExperiment;
    }
    // Two inputs with the same directory name still need distinct labels.
    for (const LabelledResult& earlier : results) {
      if (earlier.label == r->label) r->label += "#" + std::to_string(results.size() + 1);
    }
    results.push_back(std::move(r).value());
  }
  std::cout << RenderComparison(results);
  return kExitOk;
}

int Report(const std::vector<std::string>& inputs, std::string output, const std::string& store) {
  std::vector<nlohmann::json> results;
  for (const std::string& input : inputs) {
    Result<LabelledResult> r = LoadInput(input, store);
    if (!r.ok()) {
      std::cerr << "bakeoff: " << r.status().message() << "\n";
      return kExitBadExperiment;
    }
    results.push_back(std::move(r->result));
  }
  if (output.empty()) {
    output = inputs.size() == 1 && std::filesystem::is_directory(inputs[0])
                 ? (std::filesystem::path(inputs[0]) / "report.html").string()
                 : "report.html";
  } else if (std::filesystem::is_directory(output)) {
    output = (std::filesystem::path(output) / "report.html").string();  // -o DIR: DIR/report.html
  }
  if (Status st = WriteFileAtomically(output, RenderReportHtml(results)); !st.ok()) {
    std::cerr << "bakeoff: " << st.ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << "report: " << output << "\n";
  return kExitOk;
}

// Opens the index, printing what it had to repair or skip. An index that cannot be opened is an
// input problem (exit 2), never "a run failed" (exit 3).
Result<ResultIndex> OpenIndex(const std::string& store) {
  std::vector<std::string> warnings;
  Result<ResultIndex> index = ResultIndex::Open(ResolveResultsDir(store), &warnings);
  for (const std::string& w : warnings) std::cerr << "bakeoff: warning: " << w << "\n";
  if (!index.ok()) std::cerr << "bakeoff: " << index.status().message() << "\n";
  return index;
}

int ListS3(const std::string& url, const S3Options& options) {
  Result<S3Location> location = ParseS3Url(url);
  Result<std::unique_ptr<S3Store>> s3 = location.ok() ? S3Store::Create(options) : location.status();
  Result<std::vector<std::string>> ids = s3.ok() ? ListStoredResults(**s3, *location) : s3.status();
  if (!ids.ok()) {
    std::cerr << "bakeoff: " << ids.status().message() << "\n";
    return ids.status().code() == StatusCode::kInvalidArgument ? kExitBadExperiment : kExitRunFailed;
  }
  if (ids->empty()) std::cout << "no results\n";
  for (const std::string& id : *ids) std::cout << url << (url.back() == '/' ? "" : "/") << id << "\n";
  return kExitOk;
}

int Fetch(const std::string& url, const std::string& dir, const S3Options& options) {
  Result<S3Location> location = ParseS3Url(url);
  Result<std::unique_ptr<S3Store>> s3 = location.ok() ? S3Store::Create(options) : location.status();
  Result<int> count = s3.ok() ? FetchResult(**s3, *location, dir) : s3.status();
  if (!count.ok()) {
    std::cerr << "bakeoff: " << count.status().message() << "\n";
    return count.status().code() == StatusCode::kInvalidArgument ? kExitBadExperiment : kExitRunFailed;
  }
  std::cout << "fetched " << *count << " file(s) into " << dir << "\n";
  return kExitOk;
}

int List(const std::string& store, const IndexFilter& base, const std::string& since) {
  IndexFilter filter = base;
  if (!since.empty()) {
    Result<int64_t> t = ParseSinceDate(since);
    if (!t.ok()) {
      std::cerr << "bakeoff: " << t.status().message() << "\n";
      return kExitBadExperiment;
    }
    filter.since_unix_ns = *t;
  }
  Result<ResultIndex> index = OpenIndex(store);
  if (!index.ok()) return kExitBadExperiment;
  Result<std::vector<IndexedResult>> rows = index->List(filter);
  if (!rows.ok()) {
    std::cerr << "bakeoff: " << rows.status().message() << "\n";
    return kExitBadExperiment;
  }
  std::cout << RenderIndexTable(*rows);
  return kExitOk;
}

int Show(const std::string& store, const std::string& id) {
  Result<ResultIndex> index = OpenIndex(store);
  if (!index.ok()) return kExitBadExperiment;
  Result<IndexedResult> row = index->Find(id);
  if (!row.ok()) {
    std::cerr << "bakeoff: " << row.status().message() << "\n";
    return kExitBadExperiment;
  }
  Result<nlohmann::json> loaded = LoadResultFile(row->path);
  if (!loaded.ok()) {
    std::cerr << "bakeoff: " << loaded.status().message() << "\n";
    return kExitBadExperiment;
  }
  std::cout << RenderIndexTable({*row}) << "path: " << row->path << "\n\n";
  // The run table `bakeoff run` printed, rebuilt from result.json and the runs' .hlog files.
  Result<ExperimentResult> runs = ReadRunTableInput(*loaded, row->path);
  if (!runs.ok()) {
    std::cerr << "bakeoff: " << runs.status().message() << "\n";
    return kExitBadExperiment;
  }
  std::cout << RenderSummaryTable(*runs);
  const nlohmann::json& summary = (*loaded)["summary"];
  if (summary.is_array() && !summary.empty()) std::cout << RenderRepeatSummary(summary);
  return kExitOk;
}

int Reindex(const std::string& store) {
  Result<ResultIndex> index = OpenIndex(store);
  if (!index.ok()) return kExitBadExperiment;
  std::vector<std::string> skipped;
  Result<int> count = index->Rebuild(&skipped);
  for (const std::string& line : skipped) std::cerr << "bakeoff: warning: " << line << "\n";
  if (!count.ok()) {
    std::cerr << "bakeoff: " << count.status().message() << "\n";
    return kExitBadExperiment;
  }
  std::cout << "indexed " << *count << " result(s) in " << index->root() << "/index.sqlite\n";
  return kExitOk;
}

}  // namespace

ResultsCommands::ResultsCommands(CLI::App& app) {
  compare_ = app.add_subcommand(
      "compare",
      "Compare stored results side by side: deltas and significance over repeats (Welch's t-test).");
  compare_->add_option("results", inputs_, "Result directories (or result.json files, or ids in --store)")
      ->required()
      ->expected(1, -1);
  compare_->add_option("--store", store_, "Local results directory to resolve ids in");

  report_ =
      app.add_subcommand("report", "Regenerate report.html from result directories (several are merged).");
  report_->add_option("results", inputs_, "Result directories (or result.json files)")
      ->required()
      ->expected(1, -1);
  report_->add_option("-o,--output", output_, "Where to write (default: DIR/report.html for one DIR)");
  report_->add_option("--store", store_, "Local results directory to resolve ids in");

  results_ = app.add_subcommand("results", "The results store: list, show and reindex stored results.");
  results_->require_subcommand(1);
  list_ = results_->add_subcommand("list", "List stored results (newest last).");
  list_->add_option("--name", filter_name_, "Only this experiment name");
  list_->add_option("--system", filter_system_, "Only results with this system");
  list_->add_option("--since", filter_since_, "Only results started at or after this UTC date (2026-11-01)");
  show_ = results_->add_subcommand("show", "Show one stored result's summary.");
  show_->add_option("id", id_, "Result id (`bakeoff results list`)")->required();
  reindex_ = results_->add_subcommand("reindex", "Rebuild index.sqlite from the result directories.");
  fetch_ = results_->add_subcommand(
      "fetch", "Download a stored result: bakeoff results fetch s3://bucket/prefix/ID DIR");
  fetch_->add_option("url", id_, "s3://bucket/prefix/ID")->required();
  fetch_->add_option("dir", output_, "Local directory to write into")->required();
  for (CLI::App* c : {list_, fetch_}) {
    c->add_option("--endpoint", endpoint_,
                  "S3 endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS)");
    c->add_option("--region", region_, "S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)");
  }
  for (CLI::App* c : {list_, show_, reindex_}) {
    c->add_option("--store,--results-dir", store_,
                  "Results directory holding index.sqlite (default: $BAKEOFF_RESULTS_DIR, else results)");
  }
}

std::optional<int> ResultsCommands::Run() const {
  if (compare_ != nullptr && compare_->parsed()) return Compare(inputs_, ResolveResultsDir(store_));
  if (report_ != nullptr && report_->parsed()) return Report(inputs_, output_, ResolveResultsDir(store_));
  if (list_ != nullptr && list_->parsed() && IsS3Url(store_)) return ListS3(store_, {endpoint_, region_});
  if (fetch_ != nullptr && fetch_->parsed()) return Fetch(id_, output_, {endpoint_, region_});
  if (list_ != nullptr && list_->parsed()) {
    return List(store_, IndexFilter{filter_name_, filter_system_, 0}, filter_since_);
  }
  if (show_ != nullptr && show_->parsed()) return Show(store_, id_);
  if (reindex_ != nullptr && reindex_->parsed()) return Reindex(store_);
  return std::nullopt;
}

}  // namespace bakeoff
