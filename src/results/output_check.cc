#include "results/output_check.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

namespace bakeoff {
namespace {

namespace fs = std::filesystem;

// The longest name bakeoff writes inside a result directory ("hlog/<n>-<system>.hlog" has its own
// limit; this is for the fixed ones such as ".report.html.tmp").
constexpr size_t kLongestChildName = 32;

}  // namespace

Status CheckOutputDir(const std::string& dir, uint64_t min_free_bytes) {
  if (dir.empty()) return InvalidArgument("output directory: empty path");
  const fs::path path = fs::absolute(dir).lexically_normal();
  for (const fs::path& part : path) {
    if (part.string().size() > NAME_MAX)
      return InvalidArgument("output directory " + dir + ": the name `" + part.string().substr(0, 40) +
                             "...` is " + std::to_string(part.string().size()) +
                             " characters, more than the " + std::to_string(NAME_MAX) +
                             " a file name may have");
  }
  if (path.string().size() + kLongestChildName >= PATH_MAX)
    return InvalidArgument("output directory " + dir + ": the path is " +
                           std::to_string(path.string().size()) +
                           " characters, too long for the files written inside it");
  // The nearest ancestor that exists: it must be a directory (not a file we would nest under).
  fs::path existing = path;
  std::error_code ec;
  while (!fs::exists(fs::symlink_status(existing, ec)) && existing.has_parent_path() &&
         existing != existing.root_path()) {
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec)) {
    return InvalidArgument(
        "output directory " + dir + ": " + existing.string() +
        (existing == path ? " exists and is not a directory" : " is a file, not a directory"));
  }
  // A probe file finds read-only mounts and missing permissions the way writing the results would.
  std::string probe = (existing / ".bakeoff-probe-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    return InvalidArgument("output directory " + dir + ": cannot write in " + existing.string() + ": " +
                           std::strerror(errno));
  }
  const bool wrote = write(fd, "x", 1) == 1;
  const int write_errno = errno;
  close(fd);
  unlink(probe.c_str());
  if (!wrote) {
    return InvalidArgument("output directory " + dir + ": cannot write in " + existing.string() + ": " +
                           std::strerror(write_errno));
  }
  struct statvfs fs_info {};
  if (statvfs(existing.c_str(), &fs_info) == 0) {
    const uint64_t available = static_cast<uint64_t>(fs_info.f_bavail) * fs_info.f_frsize;
    if (available < min_free_bytes) {
      return InvalidArgument("output directory " + dir + ": only " + std::to_string(available >> 20) +
                             " MiB free on its file system, less than the " +
                             std::to_string(min_free_bytes >> 20) + " MiB a run needs");
    }
  }
  return Status::Ok();
}

}  // namespace bakeoff
