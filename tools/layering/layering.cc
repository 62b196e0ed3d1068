#include "tools/layering/layering.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace bakeoff::layering {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The module of a path relative to the root: the longest module name that is a folder prefix.
std::string ModuleOf(const std::string& rel, const LayerTable& table) {
  std::string best;
  for (const std::string& m : table.modules) {
    if (rel.size() > m.size() && rel.compare(0, m.size(), m) == 0 && rel[m.size()] == '/' &&
        m.size() > best.size()) {
      best = m;
    }
  }
  return best;
}

// "results/report_html.cc" -> "results/report_html": a header and its source are one component, and
// so is a private implementation header beside them ("service/http_server_internal.h", pimpl).
std::string ComponentOf(const std::string& rel) {
  std::string c = fs::path(rel).replace_extension("").string();
  const std::string kInternal = "_internal";
  if (c.size() > kInternal.size() &&
      c.compare(c.size() - kInternal.size(), kInternal.size(), kInternal) == 0) {
    c.resize(c.size() - kInternal.size());
  }
  return c;
}

struct Include {
  int line = 0;
  std::string path;  // as written between the quotes
};

std::vector<Include> QuotedIncludes(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Include> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] != '#') continue;
    i = line.find_first_not_of(" \t", i + 1);
    if (i == std::string::npos || line.compare(i, 7, "include") != 0) continue;
    const size_t open = line.find('"', i);
    if (open == std::string::npos) continue;  // <system> headers are not ours
    const size_t close = line.find('"', open + 1);
    if (close == std::string::npos) continue;
    out.push_back({n, line.substr(open + 1, close - open - 1)});
  }
  return out;
}

}  // namespace

Result<LayerTable> ParseLayerTable(const std::string& text) {
  LayerTable table;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (Words(line).empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos)
      return InvalidArgument("line " + std::to_string(n) + ": expected `module: deps...`");
    const std::vector<std::string> name = Words(line.substr(0, colon));
    if (name.size() != 1)
      return InvalidArgument("line " + std::to_string(n) + ": one module name before the colon");
    if (table.allowed.count(name[0]))
      return InvalidArgument("line " + std::to_string(n) + ": " + name[0] + " twice");
    std::set<std::string> deps;
    for (const std::string& d : Words(line.substr(colon + 1))) {
      if (!table.allowed.count(d)) {
        return InvalidArgument("line " + std::to_string(n) + ": " + name[0] + " lists " + d +
                               ", which is not a module above it in the table (layers only depend downward)");
      }
      deps.insert(d);
    }
    table.modules.push_back(name[0]);
    table.allowed[name[0]] = std::move(deps);
  }
  return table;
}

std::vector<Violation> CheckTree(const std::string& root, const LayerTable& table) {
  std::vector<Violation> out;
  std::map<std::string, std::set<std::string>> edges;  // component -> components it includes (same module)
  std::map<std::string, std::pair<std::string, int>> first_site;  // "a->b" -> file, line
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".h" || ext == ".cc")) {
      files.push_back(fs::relative(entry.path(), root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& rel : files) {
    const std::string module = ModuleOf(rel, table);
    if (module.empty()) continue;  // not in any module (e.g. a stray file at the root)
    const bool exempt = rel.find("test") != std::string::npos;
    for (const Include& inc : QuotedIncludes(fs::path(root) / rel)) {
      const std::string target = ModuleOf(inc.path, table);
      if (target.empty()) continue;  // a path outside the library (tools/, generated files)
      if (target != module) {
        if (!exempt && !table.allowed.at(module).count(target)) {
          out.push_back({rel, inc.line, module + " may not include " + target + " (" + inc.path + ")"});
        }
        continue;
      }
      const std::string from = ComponentOf(rel);
      const std::string to = ComponentOf(inc.path);
      if (from == to || exempt) continue;
      edges[from].insert(to);
      first_site.emplace(from + "->" + to, std::make_pair(rel, inc.line));
    }
  }
  // Cycles between components: depth-first search, reporting each back edge's cycle once.
  std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::set<std::string> reported;
  std::function<void(const std::string&)> visit = [&](const std::string& node) {
    state[node] = 1;
    stack.push_back(node);
    for (const std::string& next : edges[node]) {
      if (state[next] == 1) {
        auto start = std::find(stack.begin(), stack.end(), next);
        std::vector<std::string> cycle(start, stack.end());
        std::string key;
        std::vector<std::string> sorted = cycle;
        std::sort(sorted.begin(), sorted.end());
        for (const std::string& c : sorted) key += c + " ";
        if (!reported.insert(key).second) continue;
        std::string text = "include cycle: ";
        for (const std::string& c : cycle) text += c + " -> ";
        text += next;
        const auto& site = first_site[node + "->" + next];
        out.push_back({site.first, site.second, text});
      } else if (state[next] == 0) {
        visit(next);
      }
    }
    stack.pop_back();
    state[node] = 2;
  };
  for (const auto& [node, targets] : edges) {
    if (state[node] == 0) visit(node);
  }
  return out;
}

}  // namespace bakeoff::layering
