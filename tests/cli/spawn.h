// Runs the bakeoff binary (or another program) with an argv array, no shell, output captured in files.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bakeoff_test {

inline std::string SourceDir() {
  const char* dir = std::getenv("BAKEOFF_SOURCE_DIR");
  return dir ? dir : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
}

inline std::string Binary() {
  const char* bin = std::getenv("BAKEOFF_BIN");
  return bin ? bin : "build/bakeoff";
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A child process; `program` empty means the bakeoff binary. Killed if still running when destroyed.
class Child {
 public:
  Child(const std::vector<std::string>& args, std::string program = "",
        const std::vector<std::string>& extra_env = {}) {
    static int counter = 0;
    out_path_ =
        testing::TempDir() + "/spawn_out_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    err_path_ = out_path_ + ".err";
    std::vector<std::string> argv_storage{program.empty() ? Binary() : program};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) env_storage.push_back(*e);
    env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
    if (rc != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig) {
    if (pid_ > 0 && !reaped_) kill(pid_, sig);
  }
  bool Running() {
    if (pid_ <= 0 || reaped_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == 0) return true;
    reaped_ = true;
    return false;
  }
  std::string Stdout() const { return Slurp(out_path_); }
  std::string Stderr() const { return Slurp(err_path_); }

  // Waits at most `timeout`; kills the child if it overruns (and fails the test).
  Outcome Wait(std::chrono::seconds timeout = std::chrono::seconds(120)) {
    Outcome o;
    int status = 0;
    if (pid_ > 0 && !reaped_) {
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          ADD_FAILURE() << "child did not exit in time";
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      reaped_ = true;
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    o.out = Slurp(out_path_);
    o.err = Slurp(err_path_);
    return o;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_path_;
  std::string err_path_;
};

inline Outcome RunBakeoff(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  return Child(args, "", env).Wait();
}

inline std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace bakeoff_test
