#include "env/local/env_state.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "env/process/files.h"

namespace bakeoff {

using nlohmann::json;

ResourceState* EnvState::Find(const std::string& name) {
  for (ResourceState& r : resources) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

bool IsValidEnvId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id.find("..") != std::string::npos) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return id != ".";
}

Status CheckEnvId(const std::string& id) {
  if (IsValidEnvId(id)) return Status::Ok();
  return InvalidArgument("invalid environment id `" + id +
                         "`: ids are 1-128 characters of A-Z a-z 0-9 . _ - without `..`");
}

std::string EnvStateToJson(const EnvState& s) {
  json resources = json::array();
  for (const ResourceState& r : s.resources) {
    resources.push_back({{"kind", r.kind},
                         {"name", r.name},
                         {"pid", r.pid},
                         {"pid_start_ticks", r.pid_start_ticks},
                         {"ports", r.ports},
                         {"directories", r.directories},
                         {"log", r.log},
                         {"status", r.status},
                         {"stop_grace_ms", r.stop_grace_ms}});
  }
  json j = {
      {"version", s.version},     {"id", s.id},
      {"provider", s.provider},   {"system", s.system},
      {"kind", s.kind},           {"owner", {{"pid", s.owner_pid}, {"start_ticks", s.owner_start_ticks}}},
      {"detached", s.detached},   {"work_dir", s.work_dir},
      {"status", s.status},       {"created_unix_ms", s.created_unix_ms},
      {"endpoints", s.endpoints}, {"resources", resources}};
  return j.dump(2) + "\n";
}

Result<EnvState> EnvStateFromJson(const std::string& text) {
  try {
    const json j = json::parse(text);
    EnvState s;
    s.version = j.value("version", 1);
    s.id = j.at("id").get<std::string>();
    BAKEOFF_RETURN_IF_ERROR(CheckEnvId(s.id));
    s.provider = j.value("provider", "local");
    s.system = j.value("system", "");
    s.kind = j.value("kind", "");
    s.owner_pid = j.at("owner").value("pid", 0);
    s.owner_start_ticks = j.at("owner").value("start_ticks", uint64_t{0});
    s.detached = j.value("detached", false);
    s.work_dir = j.value("work_dir", "");
    s.status = j.value("status", "");
    s.created_unix_ms = j.value("created_unix_ms", int64_t{0});
    if (j.contains("endpoints")) s.endpoints = j.at("endpoints").get<std::map<std::string, std::string>>();
    for (const json& r : j.value("resources", json::array())) {
      ResourceState rs;
      rs.kind = r.value("kind", "");
      rs.name = r.value("name", "");
      rs.pid = r.value("pid", 0);
      rs.pid_start_ticks = r.value("pid_start_ticks", uint64_t{0});
      rs.ports = r.value("ports", std::vector<int>{});
      rs.directories = r.value("directories", std::vector<std::string>{});
      rs.log = r.value("log", "");
      rs.status = r.value("status", "");
      rs.stop_grace_ms = r.value("stop_grace_ms", int64_t{2000});
      s.resources.push_back(std::move(rs));
    }
    return s;
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("state file: ") + e.what());
  }
}

Status StateStore::Save(const EnvState& state) const {
  BAKEOFF_RETURN_IF_ERROR(CheckEnvId(state.id));
  BAKEOFF_RETURN_IF_ERROR(EnsurePrivateDirectory(dir_));
  return WriteTextFile(PathFor(state.id), EnvStateToJson(state), 0600);
}

Result<EnvState> StateStore::Load(const std::string& id) const {
  BAKEOFF_RETURN_IF_ERROR(CheckEnvId(id));
  Result<std::string> text = ReadTextFile(PathFor(id));
  if (!text.ok()) return NotFound("no environment `" + id + "` in " + dir_);
  Result<EnvState> state = EnvStateFromJson(*text);
  if (!state.ok()) return InvalidArgument(PathFor(id) + ": " + state.status().message());
  if (state->id != id)
    return InvalidArgument(PathFor(id) + ": records id `" + state->id + "`, not `" + id +
                           "` (forged or copied)");
  return state;
}

Status StateStore::Remove(const std::string& id) const {
  BAKEOFF_RETURN_IF_ERROR(CheckEnvId(id));
  if (std::remove(PathFor(id).c_str()) != 0 && errno != ENOENT)
    return IoError("cannot remove " + PathFor(id));
  return Status::Ok();
}

std::vector<std::string> StateStore::ListIds() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() == ".json" && IsValidEnvId(p.stem().string())) ids.push_back(p.stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace bakeoff
