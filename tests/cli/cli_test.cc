// The bakeoff program as users run it: exit codes, diagnostics, result files, signals.
// Spawns the real binary with an argv array (no shell).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

std::string SourceDir() {
  const char* dir = std::getenv("BAKEOFF_SOURCE_DIR");
  return dir ? dir : fs::path(__FILE__).parent_path().parent_path().parent_path().string();
}

std::string Binary() {
  const char* bin = std::getenv("BAKEOFF_BIN");
  return bin ? bin : "build/bakeoff";
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    const std::string dir = testing::TempDir();
    out_path_ = dir + "/cli_out_" + std::to_string(getpid()) + "_" + std::to_string(counter_++);
    err_path_ = out_path_ + ".err";
    std::vector<std::string> argv_storage{Binary()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  void Signal(int sig) { kill(pid_, sig); }

  // Waits at most `timeout`; kills the child if it overruns (and fails the test).
  Outcome Wait(std::chrono::seconds timeout = std::chrono::seconds(120)) {
    Outcome o;
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "bakeoff did not exit in time";
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = Slurp(out_path_);
    o.err = Slurp(err_path_);
    return o;
  }

 private:
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static inline int counter_ = 0;
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
};

Outcome RunBakeoff(const std::vector<std::string>& args) {
  return Child(args).Wait();
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kSmallMemoryRun = R"(name: cli-small
systems:
  - name: mem
    driver: memory
workload:
  partitions: 2
  message_size: 64B
  rate: 5k/s
  warmup: 100ms
  duration: 1s
)";

TEST(CliTest, HelpListsExitCodes) {
  Outcome o = RunBakeoff({"--help"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("130"), std::string::npos);
  EXPECT_NE(o.out.find("invalid experiment file"), std::string::npos);
}

TEST(CliTest, EveryExampleValidates) {
  std::vector<std::string> args{"validate"};
  for (const auto& entry : fs::directory_iterator(SourceDir() + "/examples")) {
    if (entry.path().extension() == ".yaml") args.push_back(entry.path().string());
  }
  ASSERT_GT(args.size(), 1u);
  // validate refuses a `${env:NAME}` whose variable is not set: the SASL example names two.
  ::setenv("EVENTHUBS_CONNECTION_STRING", "Endpoint=sb://x", 1);
  ::setenv("MSK_PASSWORD", "x", 1);
  Outcome o = RunBakeoff(args);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  ::unsetenv("MSK_PASSWORD");
  Outcome unset = RunBakeoff({"validate", SourceDir() + "/examples/kafka-existing-sasl.yaml"});
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_NE(unset.err.find("kafka-existing-sasl.yaml:27:22: systems.msk.options.sasl_password: environment "
                           "variable MSK_PASSWORD is not set"),
            std::string::npos)
      << unset.err;
  ::unsetenv("EVENTHUBS_CONNECTION_STRING");
}

TEST(CliTest, ValidateCountsRunsAndNamesSuggestDrivers) {
  const std::string path = WriteFile(
      "count.yaml",
      "name: count\nsystems:\n  - name: m\n    driver: memory\nworkload:\n  warmup: 1s\n  duration: 4s\n"
      "matrix:\n  workload.message_size: [100B, 1KiB]\nrepeat: 3\n");
  Outcome o = RunBakeoff({"validate", path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("ok (1 system, 6 runs, about 30.0 s of load"), std::string::npos) << o.out;
  Outcome typo = RunBakeoff({"drivers", "kafak"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean `kafka`?"), std::string::npos) << typo.err;
}

TEST(CliTest, BadFileExitsTwoWithLineAndColumn) {
  const std::string path = WriteFile(
      "bad.yaml", "name: bad\nsystems:\n  - name: m\n    driver: memroy\nworkload:\n  partitons: 3\n");
  Outcome o = RunBakeoff({"run", path});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("bad.yaml:4:13"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("memory"), std::string::npos) << o.err;  // did you mean
  EXPECT_NE(o.err.find("bad.yaml:6:3"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("partitions"), std::string::npos) << o.err;
}

TEST(CliTest, RunWritesResultAndTable) {
  const std::string path = WriteFile("small.yaml", kSmallMemoryRun);
  const std::string out = testing::TempDir() + "/cli-run-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("e2e p99.9"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("[mem]"), std::string::npos) << "progress lines expected: " << o.err;
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in.good());
  const auto result = nlohmann::json::parse(in);
  EXPECT_EQ(result["partial"], false);
  EXPECT_EQ(result["runs"][0]["metrics"]["accounting"]["lost"], 0);
}

// librdkafka's own lines (here its consumer-group debug lines, asked for with `debug: cgrp`) reach the
// run's log as bakeoff lines with their level and client, never as raw "%7|...|" lines on stderr; the
// group's assignments are logged the same way.
TEST(CliTest, LibrdkafkaLinesAreRoutedIntoTheRunLog) {
  const std::string path = WriteFile("kafka-log.yaml", R"(name: cli-kafka-log
systems:
  - name: ek
    driver: kafka
    environment:
      provider: embedded
      brokers: 1
    options:
      consumer_config: {debug: cgrp}
workload:
  partitions: 2
  consumers: 2
  message_size: 64B
  rate: 1k/s
  warmup: 0s
  duration: 1s
)");
  const std::string out = testing::TempDir() + "/cli-kafka-log-out";
  fs::remove_all(out);
  Outcome o = RunBakeoff({"run", path, "--output", out, "--quiet"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  std::istringstream lines(o.err);
  std::string line;
  size_t debug_lines = 0;
  bool assigned = false;
  while (std::getline(lines, line)) {
    EXPECT_FALSE(line.size() > 2 && line[0] == '%' && line[1] >= '0' && line[1] <= '7' && line[2] == '|')
        << "raw librdkafka line on stderr: " << line;
    if (line.rfind("bakeoff: ek: librdkafka debug [bakeoff-c", 0) == 0) ++debug_lines;
    assigned = assigned || (line.rfind("bakeoff: ek: librdkafka info [bakeoff-c", 0) == 0 &&
                            line.find("REBALANCE: assigned") != std::string::npos);
  }
  EXPECT_GT(debug_lines, 0u) << o.err;
  EXPECT_TRUE(assigned) << o.err;
}

TEST(CliTest, SigtermStopsCleanlyWithPartialResults) {
  std::string long_run = kSmallMemoryRun;
  long_run.replace(long_run.find("duration: 1s"), 12, "duration: 60s");
  const std::string path = WriteFile("long.yaml", long_run);
  const std::string out = testing::TempDir() + "/cli-term-out";
  fs::remove_all(out);
  Child child({"run", path, "--output", out});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  child.Signal(SIGTERM);
  Outcome o = child.Wait(std::chrono::seconds(20));
  EXPECT_EQ(o.exit_code, 130) << o.err;
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in.good());
  const auto result = nlohmann::json::parse(in);
  EXPECT_EQ(result["partial"], true);
  EXPECT_EQ(result["runs"][0]["metrics"]["partial"], true);
  EXPECT_GT(result["runs"][0]["metrics"]["accounting"]["sent"].get<int>(), 0);
}

}  // namespace
