// check_layers [SRC_DIR]: exits 0 when every #include under SRC_DIR keeps to SRC_DIR/layers.txt, else
// prints each violation as file:line: message and exits 1 (2 when the table cannot be read).
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/layering/layering.h"

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : "src";
  std::ifstream in(root + "/layers.txt");
  if (!in) {
    std::cerr << "check_layers: cannot read " << root << "/layers.txt\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto table = bakeoff::layering::ParseLayerTable(text.str());
  if (!table.ok()) {
    std::cerr << "check_layers: " << root << "/layers.txt: " << table.status().message() << "\n";
    return 2;
  }
  const auto violations = bakeoff::layering::CheckTree(root, *table);
  for (const auto& v : violations)
    std::cerr << root << "/" << v.file << ":" << v.line << ": " << v.message << "\n";
  if (!violations.empty()) {
    std::cerr << violations.size() << " layering violation(s); see " << root << "/layers.txt\n";
    return 1;
  }
  std::cout << "check_layers: " << root << ": every include keeps to layers.txt\n";
  return 0;
}
