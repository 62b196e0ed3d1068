// Where environments keep their files and state, and the file operations lifecycle code needs.
//
// Work root: $BAKEOFF_WORK_DIR, else /tmp/bakeoff-env. Each environment gets <root>/<env-id>/ with its
// configs, data and logs; destroy removes it. (Not $XDG_RUNTIME_DIR: that is a small tmpfs on many
// machines, and benchmark data can be large.)
// State dir: $BAKEOFF_STATE_DIR, else /tmp/bakeoff-state. Both live in /tmp on purpose: they describe
// processes and directories that a reboot removes too, so they disappear together. Because /tmp is
// world-writable, another user could create either root first and plant state files in it: both are
// created 0700 and refused (EnsurePrivateDirectory) when owned by another user or writable by others.
#pragma once

#include <string>

#include "base/status.h"

namespace bakeoff {

std::string EnvironmentWorkRoot();
std::string EnvironmentStateDir();

Status WriteTextFile(const std::string& path, const std::string& content, int mode = 0644);
Result<std::string> ReadTextFile(const std::string& path);
Status MakeDirectories(const std::string& path);
// Creates `path` (mode 0700, parents as needed) or checks the existing one: it must be a directory
// owned by this user and not writable by group or others (a symlink to one only when the link is
// ours or root's). Errors name the path and the fix.
Status EnsurePrivateDirectory(const std::string& path);
// The same check without creating: Ok when `path` does not exist.
Status CheckPrivateDirectory(const std::string& path);
// Whether `path`, with symlinks resolved, lies strictly inside `root` (also resolved).
bool IsStrictlyInside(const std::string& path, const std::string& root);
// Removes `path` recursively; refuses anything not strictly inside `must_be_under`. Ok when absent.
Status RemoveTreeUnder(const std::string& path, const std::string& must_be_under);
// The last `lines` lines of a text file (e.g. a server log), for error messages; "" when unreadable.
std::string LastLines(const std::string& path, int lines);

}  // namespace bakeoff
