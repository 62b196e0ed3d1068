#include "spec/internal/matrix_parser.h"

#include <set>
#include <sstream>

#include "spec/internal/suggest.h"

namespace bakeoff::spec_internal {
namespace {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '.')) parts.push_back(part);
  if (!path.empty() && path.back() == '.') parts.push_back("");
  return parts;
}

std::string ValueText(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

// Checks a path's shape; reports at the key and returns false when it cannot name a value.
bool CheckPath(Reader& reader, const MapEntry& entry, const std::vector<std::string>& system_names) {
  static const std::vector<std::string> kRoots = {"workload", "systems"};
  const std::vector<std::string> parts = SplitPath(entry.key);
  for (const std::string& part : parts) {
    if (part.empty()) {
      reader.Report(entry.key_mark, "matrix", "the path `" + entry.key + "` has an empty part");
      return false;
    }
  }
  if (parts[0] != "workload" && parts[0] != "systems") {
    reader.Report(entry.key_mark, "matrix",
                  "the path `" + entry.key +
                      "` must start with `workload.` or `systems.<name>.` (e.g. `workload.message_size`, "
                      "`systems.kafka.options.acks`)",
                  DidYouMean(parts[0], kRoots));
    return false;
  }
  if (parts[0] == "workload") {
    if (parts.size() < 2) {
      reader.Report(entry.key_mark, "matrix", "name a workload field, e.g. `workload.message_size`");
      return false;
    }
    return true;
  }
  if (parts.size() < 3) {
    reader.Report(entry.key_mark, "matrix",
                  "name a system and one of its fields, e.g. `systems.<name>.options.<option>`");
    return false;
  }
  if (std::find(system_names.begin(), system_names.end(), parts[1]) == system_names.end()) {
    reader.Report(
        entry.key_mark, "matrix",
        "no system named `" + parts[1] + "` (in `" + entry.key + "`); systems: " + JoinQuoted(system_names),
        DidYouMean(parts[1], system_names));
    return false;
  }
  static const std::vector<std::string> kSystemFields = {"driver", "environment", "options"};
  if (std::find(kSystemFields.begin(), kSystemFields.end(), parts[2]) == kSystemFields.end()) {
    reader.Report(
        entry.key_mark, "matrix",
        "`" + parts[2] + "` cannot be swept; a system's sweepable fields are " + JoinQuoted(kSystemFields),
        DidYouMean(parts[2], kSystemFields));
    return false;
  }
  return true;
}

}  // namespace

bool Substitute(YAML::Node root, const std::string& path, const YAML::Node& value) {
  const std::vector<std::string> parts = SplitPath(path);
  if (parts.size() < 2 || (parts[0] != "workload" && parts[0] != "systems")) return false;
  if (parts[0] == "systems" && parts.size() < 3) return false;
  for (const std::string& part : parts)
    if (part.empty()) return false;
  YAML::Node node;
  size_t next = 0;
  if (parts[0] == "systems") {
    YAML::Node systems = root["systems"];
    if (!systems.IsSequence()) return false;
    for (size_t i = 0; i < systems.size(); ++i) {
      YAML::Node system = systems[i];
      if (system.IsMap() && system["name"] && system["name"].IsScalar() &&
          system["name"].Scalar() == parts[1]) {
        node.reset(system);
      }
    }
    if (!node.IsDefined() || !node.IsMap()) return false;
    next = 2;
  } else {
    if (!root["workload"] || root["workload"].IsNull()) root["workload"] = YAML::Node(YAML::NodeType::Map);
    node.reset(root["workload"]);
    next = 1;
  }
  for (; next + 1 < parts.size(); ++next) {
    if (!node.IsMap()) return false;
    YAML::Node child = node[parts[next]];
    if (!child || child.IsNull()) {
      node[parts[next]] = YAML::Node(YAML::NodeType::Map);
    } else if (child.IsScalar() && parts[next] == "environment") {
      // `environment: local` is short for `environment: {provider: local}`.
      YAML::Node expanded(YAML::NodeType::Map);
      expanded["provider"] = child.Scalar();
      node[parts[next]] = expanded;
    }
    YAML::Node descended = node[parts[next]];
    node.reset(descended);
  }
  if (!node.IsMap()) return false;
  node[parts.back()] = value;
  return true;
}

std::vector<MatrixAxisNodes> ParseMatrix(Reader& reader, const Field& field,
                                         const std::vector<std::string>& system_names) {
  std::vector<MatrixAxisNodes> axes;
  auto entries = reader.ReadMap(field, nullptr, "", "path");
  if (!entries) return axes;
  for (const MapEntry& entry : *entries) {
    if (!CheckPath(reader, entry, system_names)) continue;
    const YAML::Node& list = entry.value.node;
    if (!list.IsSequence() || list.size() == 0) {
      reader.Report(entry.value.mark, entry.value.path,
                    "expected a list of values such as [100B, 1KiB], found " +
                        (list.IsSequence() ? std::string("an empty list") : Reader::Describe(list)));
      continue;
    }
    MatrixAxisNodes axis;
    axis.axis.path = entry.key;
    axis.axis.location = reader.Locate(entry.key_mark);
    axis.key_mark = entry.key_mark;
    for (size_t i = 0; i < list.size(); ++i) {
      axis.values.push_back(list[i]);
      axis.axis.values.push_back(ValueText(list[i]));
    }
    axes.push_back(std::move(axis));
  }
  return axes;
}

std::vector<MatrixPoint> ExpandMatrix(Reader& reader, const RootLoader& load_root,
                                      const std::vector<MatrixAxisNodes>& axes,
                                      const PointParser& parse_point) {
  std::vector<MatrixPoint> points;
  size_t total = 1;
  for (const MatrixAxisNodes& axis : axes) {
    total *= axis.values.size();
    if (total > kMaxMatrixPoints) {
      reader.Report(
          axis.key_mark, "matrix",
          "the matrix has more than " + std::to_string(kMaxMatrixPoints) + " points; sweep fewer values");
      return points;
    }
  }
  std::set<std::string> reported;
  std::vector<size_t> index(axes.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    // Mixed-radix counter, last axis fastest.
    size_t rest = n;
    for (size_t a = axes.size(); a-- > 0;) {
      index[a] = rest % axes[a].values.size();
      rest /= axes[a].values.size();
    }
    MatrixPoint point;
    Reader point_reader(reader.Locate(YAML::Mark()).file);
    YAML::Node root = load_root();
    for (size_t a = 0; a < axes.size(); ++a) {
      point.values.emplace_back(axes[a].axis.path, axes[a].axis.values[index[a]]);
      if (!Substitute(root, axes[a].axis.path, axes[a].values[index[a]])) {
        point_reader.Report(
            axes[a].key_mark, "matrix",
            "cannot put a value at `" + axes[a].axis.path + "`: a part of that path is not a map");
      }
    }
    parse_point(point_reader, root, point);
    std::string label;
    for (const auto& [path, value] : point.values) label += (label.empty() ? "" : ", ") + path + "=" + value;
    for (Diagnostic d : point_reader.TakeDiagnostics()) {
      if (d.location.line == 0) {
        // Created by the substitution (e.g. an option key the file did not have): point at the axis.
        const MatrixAxisNodes* owner = &axes.front();
        for (const MatrixAxisNodes& axis : axes) {
          if (d.field_path.find(SplitPath(axis.axis.path).back()) != std::string::npos) owner = &axis;
        }
        d.location = owner->axis.location;
      }
      const std::string key = d.ToString();
      if (!reported.insert(key).second) continue;
      d.message = "in matrix point {" + label + "}: " + d.message;
      reader.Add(std::move(d));
    }
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace bakeoff::spec_internal
