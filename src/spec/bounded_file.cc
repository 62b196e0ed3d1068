#include "spec/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bakeoff {
namespace {

std::string Size(int64_t bytes) {
  return bytes >= (int64_t{1} << 20) ? std::to_string(bytes >> 20) + " MiB"
                                     : std::to_string(bytes) + " bytes";
}

Status CheckStat(const struct stat& info, const std::string& path, int64_t max_bytes,
                 const std::string& what) {
  if (S_ISDIR(info.st_mode)) return InvalidArgument(what + " " + path + " is a directory, not a file");
  if (!S_ISREG(info.st_mode)) {
    const char* kind = S_ISFIFO(info.st_mode)   ? "a FIFO"
                       : S_ISCHR(info.st_mode)  ? "a character device"
                       : S_ISBLK(info.st_mode)  ? "a block device"
                       : S_ISSOCK(info.st_mode) ? "a socket"
                                                : "not a regular file";
    return InvalidArgument(what + " " + path + " is " + kind + "; give a regular file");
  }
  if (info.st_size > max_bytes)
    return InvalidArgument(what + " " + path + " is " + Size(info.st_size) + ", more than the " +
                           Size(max_bytes) + " allowed");
  return Status::Ok();
}

}  // namespace

Result<int64_t> CheckBoundedRegularFile(const std::string& path, int64_t max_bytes, const std::string& what) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return NotFound("cannot read " + what + " " + path + ": no such file");
    return IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  }
  BAKEOFF_RETURN_IF_ERROR(CheckStat(info, path, max_bytes, what));
  return static_cast<int64_t>(info.st_size);
}

Result<std::string> ReadBoundedRegularFile(const std::string& path, int64_t max_bytes,
                                           const std::string& what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below then refuses it.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("cannot read " + what + " " + path + ": no such file");
    return IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  Status st = fstat(fd, &info) == 0
                  ? CheckStat(info, path, max_bytes, what)
                  : IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::string content;
  if (st.ok()) {
    content.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    // Stop at the size seen by fstat (+1 to notice growth): a file growing under us stays bounded.
    while (done < content.size()) {
      const ssize_t n = read(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        st = IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
        break;
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    content.resize(done);
  }
  close(fd);
  if (!st.ok()) return st;
  return content;
}

}  // namespace bakeoff
