// The layering check: reads the allowed-dependency table (src/layers.txt) and the #include lines of
// every source file under a root, and reports each include that the table does not allow and each
// include cycle between the components (foo.h + foo.cc) of a module.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace bakeoff::layering {

struct LayerTable {
  std::vector<std::string> modules;                      // in file order
  std::map<std::string, std::set<std::string>> allowed;  // module -> modules it may include
};

// "module: dep dep ..." lines; '#' starts a comment. Errors name the line.
Result<LayerTable> ParseLayerTable(const std::string& text);

struct Violation {
  std::string file;  // relative to the root
  int line = 0;
  std::string message;  // "drivers may not include env (env/provider.h)"
};

// Checks every .h/.cc under `root` (which holds the module folders). Files whose path contains "test"
// are exempt from the table (test code may reach across), not from the cycle check.
std::vector<Violation> CheckTree(const std::string& root, const LayerTable& table);

}  // namespace bakeoff::layering
