#include "env/process/files.h"

#include <sys/stat.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bakeoff {
namespace fs = std::filesystem;

namespace {
std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : fallback;
}
}  // namespace

std::string EnvironmentWorkRoot() {
  return EnvOr("BAKEOFF_WORK_DIR", "/tmp/bakeoff-env");
}
std::string EnvironmentStateDir() {
  return EnvOr("BAKEOFF_STATE_DIR", "/tmp/bakeoff-state");
}

Status WriteTextFile(const std::string& path, const std::string& content, int mode) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp);
    out << content;
    out.flush();
    if (!out) return IoError("cannot write " + tmp);
  }
  chmod(tmp.c_str(), static_cast<mode_t>(mode));
  std::error_code ec;
  fs::rename(tmp, path, ec);  // atomic: readers see the old or the new file, never half of one
  if (ec) return IoError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return Status::Ok();
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status MakeDirectories(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return IoError("cannot create directory " + path + ": " + ec.message());
  return Status::Ok();
}

Status RemoveTreeUnder(const std::string& path, const std::string& must_be_under) {
  const fs::path p = fs::weakly_canonical(path);
  const fs::path root = fs::weakly_canonical(must_be_under);
  const std::string ps = p.string(), rs = root.string();
  if (ps.size() <= rs.size() + 1 || ps.compare(0, rs.size(), rs) != 0 || ps[rs.size()] != '/') {
    return InvalidArgument("refusing to remove " + ps + ": not inside " + rs);
  }
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return IoError("cannot remove " + ps + ": " + ec.message());
  return Status::Ok();
}

std::string LastLines(const std::string& path, int lines) {
  std::ifstream in(path);
  if (!in) return "";
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  std::string out;
  for (const std::string& l : tail) out += l + "\n";
  return out;
}

}  // namespace bakeoff
