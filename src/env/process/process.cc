#include "env/process/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace bakeoff {
namespace {

constexpr std::chrono::milliseconds kPollInterval{5};
constexpr unsigned kCloseRangeCloexec = 1U << 2;  // linux/close_range.h

std::string ErrnoText(int err) {
  return std::strerror(err);
}

// Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses).
std::vector<std::string> StatFieldsAfterComm(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  std::string f;
  while (rest >> f) fields.push_back(f);
  return fields;  // fields[0] is field 3 (state); field N is fields[N - 3]
}

int ThreadCount(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return 0;
}

// Reaps our child if it exited; never blocks.
void TryReap(int pid) {
  int status = 0;
  (void)waitpid(pid, &status, WNOHANG);
}

bool WaitGone(ProcessLauncher& launcher, const ProcessRef& ref, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    TryReap(ref.pid);
    if (!launcher.IsRunning(ref)) {
      TryReap(ref.pid);  // it may have become a zombie between the two calls
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

class OsLauncher final : public ProcessLauncher {
 public:
  Result<ProcessRef> Spawn(const SpawnRequest& request) override {
    if (request.argv.empty()) return InvalidArgument("spawn: empty argv");
    // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
    std::vector<std::string> env_strings = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
        "LC_ALL=C.UTF-8"};
    for (const auto& [k, v] : request.env) env_strings.push_back(k + "=" + v);
    std::vector<char*> argv;
    for (const std::string& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    std::string program = request.argv[0];
    if (program.find('/') == std::string::npos) {
      for (const char* dir :
           {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        const std::string candidate = std::string(dir) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0) {
          program = candidate;
          break;
        }
      }
    }
    const int log_fd = open(request.log_path.empty() ? "/dev/null" : request.log_path.c_str(),
                            O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) return IoError("spawn: cannot open log " + request.log_path + ": " + ErrnoText(errno));
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int err_pipe[2];
    if (null_fd < 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
      close(log_fd);
      if (null_fd >= 0) close(null_fd);
      return IoError("spawn: " + ErrnoText(errno));
    }
    cpu_set_t cpu_set;
    CPU_ZERO(&cpu_set);
    for (int cpu : request.cpus) CPU_SET(cpu, &cpu_set);
    const char* cwd = request.working_dir.empty() ? nullptr : request.working_dir.c_str();

    const pid_t pid = fork();
    if (pid == 0) {
      auto fail = [&](int step) {
        int payload[2] = {step, errno};
        (void)!write(err_pipe[1], payload, sizeof(payload));
        _exit(127);
      };
      if (request.new_session && setsid() < 0) fail(1);
      if (cwd != nullptr && chdir(cwd) != 0) fail(2);
      if (!request.cpus.empty() && sched_setaffinity(0, sizeof(cpu_set), &cpu_set) != 0) fail(3);
      if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
          dup2(log_fd, STDERR_FILENO) < 0)
        fail(4);
      // Only stdio survive into the server (the error pipe is close-on-exec already).
      if (syscall(SYS_close_range, 3U, ~0U, kCloseRangeCloexec) != 0) {
        for (int fd = 3; fd < 4096; ++fd) {
          if (fd != err_pipe[1]) close(fd);
        }
      }
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      signal(SIGPIPE, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      execve(program.c_str(), argv.data(), envp.data());
      fail(5);
    }
    const int fork_errno = errno;
    close(log_fd);
    close(null_fd);
    close(err_pipe[1]);
    if (pid < 0) {
      close(err_pipe[0]);
      return IoError("spawn " + program + ": fork: " + ErrnoText(fork_errno));
    }
    int payload[2] = {0, 0};
    ssize_t n;
    do {
      n = read(err_pipe[0], payload, sizeof(payload));
    } while (n < 0 && errno == EINTR);
    close(err_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof(payload))) {
      int status = 0;
      (void)waitpid(pid, &status, 0);
      static const char* const kSteps[] = {"", "setsid", "chdir", "sched_setaffinity", "dup2", "exec"};
      return IoError("spawn " + program + ": " + kSteps[payload[0] % 6] + ": " + ErrnoText(payload[1]));
    }
    ProcessRef ref;
    ref.pid = pid;
    // The child exec'd, so its /proc entry exists until we reap it.
    ref.start_ticks = ReadProcessStartTicks(pid).value_or(0);
    return ref;
  }

  bool IsRunning(const ProcessRef& ref) override {
    if (!ref.valid()) return false;
    std::vector<std::string> fields = StatFieldsAfterComm(ref.pid);
    if (fields.size() < 20) return false;
    if (std::stoull(fields[19]) != ref.start_ticks) return false;
    if (fields[0] == "X") return false;
    // A zombie thread-group leader whose other threads still run keeps its sockets open: not gone yet.
    if (fields[0] == "Z") return ThreadCount(ref.pid) > 1;
    return true;
  }

  Result<StopOutcome> Stop(const ProcessRef& ref, std::chrono::milliseconds grace,
                           std::chrono::milliseconds kill_wait) override {
    StopOutcome outcome;
    TryReap(ref.pid);
    if (!IsRunning(ref)) {
      TryReap(ref.pid);
      return outcome;
    }
    outcome.was_running = true;
    if (kill(ref.pid, SIGTERM) != 0 && errno != ESRCH) {
      return IoError("kill " + std::to_string(ref.pid) + ": " + ErrnoText(errno));
    }
    if (WaitGone(*this, ref, grace)) return outcome;
    outcome.killed = true;
    if (IsRunning(ref)) (void)kill(ref.pid, SIGKILL);
    if (!WaitGone(*this, ref, kill_wait)) {
      return Timeout("process " + std::to_string(ref.pid) + " survived SIGKILL");
    }
    return outcome;
  }

  Result<int> Wait(const ProcessRef& ref, std::chrono::milliseconds timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      int status = 0;
      const pid_t r = waitpid(ref.pid, &status, WNOHANG);
      if (r == ref.pid) {
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
      }
      if (r < 0) return Internal("wait " + std::to_string(ref.pid) + ": " + ErrnoText(errno));
      if (std::chrono::steady_clock::now() >= deadline) {
        (void)Stop(ref, std::chrono::milliseconds(500), std::chrono::milliseconds(2000));
        return Timeout("process " + std::to_string(ref.pid) + " did not finish within " +
                       std::to_string(timeout.count()) + " ms");
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  std::optional<std::string> EnvironmentVariable(const ProcessRef& ref, const std::string& name) override {
    std::optional<std::string> value = ReadProcessEnvVar(ref.pid, name);
    // Read after the check could name a reused PID: the value counts only if it is still the same process.
    if (!value || !IsRunning(ref)) return std::nullopt;
    return value;
  }

  std::optional<std::string> WorkingDirectory(const ProcessRef& ref) override {
    std::error_code ec;
    const std::filesystem::path dir =
        std::filesystem::read_symlink("/proc/" + std::to_string(ref.pid) + "/cwd", ec);
    if (ec || !IsRunning(ref)) return std::nullopt;
    return dir.string();
  }

  std::vector<ProcessRef> LiveProcesses() override {
    std::vector<ProcessRef> live;
    const int self = static_cast<int>(getpid());
    for (int pid : ListPids()) {
      if (pid == self) continue;
      std::vector<std::string> fields = StatFieldsAfterComm(pid);
      if (fields.size() < 20 || fields[0].empty()) continue;
      const char state = fields[0][0];
      if (state == 'Z' || state == 'X') continue;
      live.push_back({pid, std::stoull(fields[19])});
    }
    return live;
  }
};

}  // namespace

ProcessLauncher& OsProcessLauncher() {
  static OsLauncher launcher;
  return launcher;
}

std::optional<uint64_t> ReadProcessStartTicks(int pid) {
  std::vector<std::string> fields = StatFieldsAfterComm(pid);
  if (fields.size() < 20) return std::nullopt;
  return std::stoull(fields[19]);
}

char ReadProcessState(int pid) {
  std::vector<std::string> fields = StatFieldsAfterComm(pid);
  return fields.empty() || fields[0].empty() ? 0 : fields[0][0];
}

ProcessRef SelfProcess() {
  ProcessRef ref;
  ref.pid = static_cast<int>(getpid());
  ref.start_ticks = ReadProcessStartTicks(ref.pid).value_or(0);
  return ref;
}

std::optional<std::string> ReadProcessEnvVar(int pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return std::nullopt;
  const std::string prefix = name + "=";
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    if (entry.compare(0, prefix.size(), prefix) == 0) return entry.substr(prefix.size());
  }
  return std::nullopt;
}

std::vector<int> ListPids() {
  std::vector<int> pids;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<int>(pid));
  }
  closedir(dir);
  return pids;
}

Result<CommandOutput> RunToCompletion(ProcessLauncher& launcher, const SpawnRequest& request,
                                      std::chrono::milliseconds timeout) {
  SpawnRequest req = request;
  (void)unlink(req.log_path.c_str());  // the output of this command only
  Result<ProcessRef> ref = launcher.Spawn(req);
  if (!ref.ok()) return ref.status();
  Result<int> code = launcher.Wait(*ref, timeout);
  CommandOutput out;
  std::ifstream in(req.log_path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  out.output = buffer.str();
  (void)unlink(req.log_path.c_str());
  if (!code.ok()) return Status(code.status().code(), code.status().message() + ": " + out.output);
  out.exit_code = *code;
  return out;
}

}  // namespace bakeoff
