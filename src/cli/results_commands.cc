#include "cli/results_commands.h"

#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "results/compare.h"
#include "results/exports.h"
#include "results/report_html.h"

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
  }
  if (Status st = WriteFileAtomically(output, RenderReportHtml(results)); !st.ok()) {
    std::cerr << "bakeoff: " << st.ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << "report: " << output << "\n";
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
}

std::optional<int> ResultsCommands::Run() const {
  if (compare_ != nullptr && compare_->parsed()) return Compare(inputs_, store_);
  if (report_ != nullptr && report_->parsed()) return Report(inputs_, output_, store_);
  return std::nullopt;
}

}  // namespace bakeoff
