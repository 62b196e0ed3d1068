// Where environments keep their files and state, and the file operations lifecycle code needs.
//
// Work root: $BAKEOFF_WORK_DIR, else /tmp/bakeoff-env. Each environment gets <root>/<env-id>/ with its
// configs, data and logs; destroy removes it. (Not $XDG_RUNTIME_DIR: that is a small tmpfs on many
// machines, and benchmark data can be large.)
// State dir: $BAKEOFF_STATE_DIR, else /tmp/bakeoff-state. Both live in /tmp on purpose: they describe
// processes and directories that a reboot removes too, so they disappear together.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff {

std::string EnvironmentWorkRoot();
std::string EnvironmentStateDir();

Status WriteTextFile(const std::string& path, const std::string& content, int mode = 0644);
Result<std::string> ReadTextFile(const std::string& path);
Status MakeDirectories(const std::string& path);
// Removes `path` recursively; refuses anything not strictly inside `must_be_under`. Ok when absent.
Status RemoveTreeUnder(const std::string& path, const std::string& must_be_under);
// The last `lines` lines of a text file (e.g. a server log), for error messages; "" when unreadable.
std::string LastLines(const std::string& path, int lines);

}  // namespace bakeoff
