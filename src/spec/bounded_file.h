// Reading a file named by a user (experiment, payload, ${file:...} secret) without trusting what it is:
// only a regular file of bounded size is read. A FIFO, a device (/dev/zero, /dev/urandom), a directory
// or a file larger than the bound gives an error naming the path, never a hang or an unbounded read.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace bakeoff {

// `what` names the file in errors ("experiment file", "payload file", ...). NotFound when absent,
// InvalidArgument when not a regular file or larger than `max_bytes`, IoError otherwise.
Result<std::string> ReadBoundedRegularFile(const std::string& path, int64_t max_bytes,
                                           const std::string& what);

// The same checks without reading; Ok with the size in bytes.
Result<int64_t> CheckBoundedRegularFile(const std::string& path, int64_t max_bytes, const std::string& what);

}  // namespace bakeoff
