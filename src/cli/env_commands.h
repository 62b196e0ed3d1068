// `bakeoff env ...`: bring environments up and down by hand, list them, and clean up after a crash.
// The logic lives in the library (src/env/local/env_admin.h); this is the glue that prints.
#pragma once

#include <string>

namespace bakeoff {

struct EnvArgs {
  std::string file;         // plan, up
  std::string system;       // plan, up: only this system
  std::string id;           // down
  bool all = false;         // down --all
  bool foreground = false;  // up --foreground: stay, tear down on Ctrl-C/SIGTERM (not detached)
};

int EnvPlanCommand(const EnvArgs& args);
int EnvUpCommand(const EnvArgs& args);
int EnvStatusCommand();
int EnvDownCommand(const EnvArgs& args);
int EnvGcCommand();

}  // namespace bakeoff
