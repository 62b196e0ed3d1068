// The service subcommands: `bakeoff serve` (the server) and its clients `submit`, `queue`, `cancel`.
// Like ResultsCommands, they register on the program's CLI11 app: main() adds one line for each step.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace bakeoff {

class ServeCommands {
 public:
  explicit ServeCommands(CLI::App& app);
  ServeCommands(const ServeCommands&) = delete;
  ServeCommands& operator=(const ServeCommands&) = delete;

  // After parsing: the exit code of the chosen subcommand, or nullopt if none of these was chosen.
  std::optional<int> Run() const;

 private:
  CLI::App* serve_ = nullptr;
  CLI::App* submit_ = nullptr;
  CLI::App* queue_ = nullptr;
  CLI::App* cancel_ = nullptr;
  // serve
  std::string listen_ = "127.0.0.1:8080";
  std::string data_dir_ = "bakeoff-data";
  std::string token_file_;  // serve and clients; clients also read $BAKEOFF_TOKEN_FILE
  int max_queued_ = 1000;
  std::string web_dir_;
  std::string examples_dir_;
  // clients
  std::string server_;  // else $BAKEOFF_SERVER, else http://127.0.0.1:8080
  std::string file_;
  std::string id_;
  bool wait_ = false;
};

}  // namespace bakeoff
