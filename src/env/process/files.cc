#include "env/process/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
    out.close();
    if (!out) {
      std::remove(tmp.c_str());  // a full disk leaves no half-written temp file
      return IoError("cannot write " + tmp);
    }
  }
  chmod(tmp.c_str(), static_cast<mode_t>(mode));
  std::error_code ec;
  fs::rename(tmp, path, ec);  // atomic: readers see the old or the new file, never half of one
  if (ec) {
    std::remove(tmp.c_str());
    return IoError("cannot rename " + tmp + " to " + path + ": " + ec.message());
  }
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

Status CheckPrivateDirectory(const std::string& path) {
  struct stat link_info {};
  if (lstat(path.c_str(), &link_info) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot inspect " + path + ": " + std::strerror(errno));
  }
  const uid_t self = geteuid();
  if (S_ISLNK(link_info.st_mode) && link_info.st_uid != self && link_info.st_uid != 0)
    return InvalidArgument(path + " is a symlink owned by uid " + std::to_string(link_info.st_uid) +
                           ", not by this user: remove it or point BAKEOFF_STATE_DIR/BAKEOFF_WORK_DIR "
                           "elsewhere");
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return IoError("cannot inspect " + path + ": " + std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) return InvalidArgument(path + " is not a directory");
  if (info.st_uid != self)
    return InvalidArgument(path + " is owned by uid " + std::to_string(info.st_uid) +
                           ", not by this user (uid " + std::to_string(self) +
                           "): another user may have created it; remove it or set "
                           "BAKEOFF_STATE_DIR/BAKEOFF_WORK_DIR to a directory of your own");
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return InvalidArgument(path + " is writable by group or others (mode " +
                           std::to_string((info.st_mode >> 6) & 7) + std::to_string((info.st_mode >> 3) & 7) +
                           std::to_string(info.st_mode & 7) + "): `chmod 700 " + path + "`");
  return Status::Ok();
}

Status EnsurePrivateDirectory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) BAKEOFF_RETURN_IF_ERROR(MakeDirectories(parent.string()));
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return IoError("cannot create directory " + path + ": " + std::strerror(errno));
  return CheckPrivateDirectory(path);
}

bool IsStrictlyInside(const std::string& path, const std::string& root) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path r = fs::weakly_canonical(root, ec);
  if (ec) return false;
  const std::string ps = p.string(), rs = r.string();
  return ps.size() > rs.size() + 1 && ps.compare(0, rs.size(), rs) == 0 && ps[rs.size()] == '/';
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
