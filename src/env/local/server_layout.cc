#include "env/local/server_layout.h"

namespace bakeoff {

std::string ProgramVersionLine(const LayoutContext& ctx, const std::vector<std::string>& argv) {
  SpawnRequest req;
  req.argv = argv;
  req.working_dir = ctx.work_dir;
  req.log_path = ctx.work_dir + "/version.out";
  Result<CommandOutput> out = RunToCompletion(*ctx.launcher, req, std::chrono::milliseconds(5000));
  if (!out.ok()) return "";
  std::string line = out->output.substr(0, out->output.find('\n'));
  return line;
}

ProcessPlan MakeProcessPlan(const LayoutContext& ctx, const std::string& name,
                            std::vector<std::string> argv) {
  ProcessPlan p;
  p.name = name;
  p.dir = ctx.work_dir + "/" + name;
  p.spawn.argv = std::move(argv);
  p.spawn.working_dir = p.dir;
  p.spawn.log_path = p.dir + "/" + name + ".log";
  p.spawn.cpus = ctx.settings->cpus;
  return p;
}

std::string NodesText(const LocalSettings& settings, const std::string& what) {
  return settings.nodes == 1 ? "1 " + what : std::to_string(settings.nodes) + " " + what + "s (cluster)";
}

bool IsSettingName(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace bakeoff
