// `matrix:` (a sweep over paths of the experiment) and its expansion into points.
//
// Each point is validated exactly like a whole experiment: the file is loaded again, the point's values
// are put in place of the paths they name, and the usual parsers run on the result. A problem found
// in a point is reported where the user can fix it: at the matrix value when the value itself is wrong,
// at the matrix key when the path leads nowhere.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "spec/experiment.h"
#include "spec/internal/yaml_reader.h"

namespace bakeoff::spec_internal {

// The axes as written, with the YAML nodes of their values (needed to substitute them).
struct MatrixAxisNodes {
  MatrixAxis axis;
  YAML::Mark key_mark;
  std::vector<YAML::Node> values;
};

inline constexpr size_t kMaxMatrixPoints = 10000;

// Reads `matrix:`; checks the shape of every path against the systems' names.
std::vector<MatrixAxisNodes> ParseMatrix(Reader& reader, const Field& field,
                                         const std::vector<std::string>& system_names);

// Parses the systems and workload of one substituted document into `point`.
using PointParser = std::function<void(Reader& reader, const YAML::Node& root, MatrixPoint& point)>;

// A fresh load of the experiment's document (with any `--set` overrides applied).
using RootLoader = std::function<YAML::Node()>;

// The cartesian product of `axes` (first axis slowest), each point parsed by `parse_point` on a fresh
// load from `load_root`. Problems go to `reader`, each reported once.
std::vector<MatrixPoint> ExpandMatrix(Reader& reader, const RootLoader& load_root,
                                      const std::vector<MatrixAxisNodes>& axes,
                                      const PointParser& parse_point);

// Puts `value` at `path` ("workload.duration", "systems.NAME.options.acks") in `root`, creating maps on
// the way. False if the path is not of that shape or a non-map value stands in the way.
bool Substitute(YAML::Node root, const std::string& path, const YAML::Node& value);

}  // namespace bakeoff::spec_internal
