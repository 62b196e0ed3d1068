// The CLI's results subcommands: `compare`, `report` and `results list|show|fetch`. They register
// themselves on the program's CLI11 app so that main() needs one line to add them and one to run them.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace bakeoff {

class ResultsCommands {
 public:
  explicit ResultsCommands(CLI::App& app);
  ResultsCommands(const ResultsCommands&) = delete;
  ResultsCommands& operator=(const ResultsCommands&) = delete;

  // After parsing: the exit code of the chosen results subcommand, or nullopt if none was chosen.
  std::optional<int> Run() const;

 private:
  CLI::App* compare_ = nullptr;
  CLI::App* report_ = nullptr;
  CLI::App* results_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* reindex_ = nullptr;
  CLI::App* fetch_ = nullptr;
  std::string endpoint_;  // S3 endpoint (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
  std::string region_;
  std::vector<std::string> inputs_;
  std::string output_;
  std::string store_;  // results directory (with index.sqlite) or s3://bucket/prefix
  std::string filter_name_;
  std::string filter_system_;
  std::string filter_since_;
  std::string id_;
};

}  // namespace bakeoff
