// Internals of the OMB importer (spec/omb): the mapped lines of the bakeoff file, the helpers that
// write YAML values, and the two mappers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "spec/internal/yaml_reader.h"
#include "spec/omb/omb_options.h"

namespace bakeoff::omb_internal {

// One line of the bakeoff file: `text` at `indent` spaces, and the OMB key it comes from as a comment.
// A line with empty text is a comment line.
struct OutLine {
  int indent = 0;
  std::string text;
  std::string comment;
};
using OutLines = std::vector<OutLine>;

// A YAML double-quoted scalar ("a \"b\"").
std::string Quoted(const std::string& text);
// "1m30s", "3s", "1500ms", "250us": the shortest exact duration text the spec parser reads.
std::string DurationText(int64_t ns);
// "50000/s", "2500.5/s".
std::string RateText(double per_second);
// "1.5" from 1.5, "3" from 3.0.
std::string NumberText(double value);
// A name of the bakeoff alphabet ([A-Za-z0-9._-]) from free text: runs of other characters become `-`.
std::string SafeName(const std::string& text, const std::string& fallback);

// Where a key stands, for comments: "workload.yaml:7".
std::string LineOf(const spec_internal::Reader& reader, const YAML::Mark& mark);

struct WorkloadMapping {
  std::string name;         // the experiment's name (bakeoff alphabet)
  std::string omb_name;     // the workload's `name` as written
  OutLines name_lines;      // `name:` with its comment
  OutLines workload_lines;  // under `workload:`, indent 2
};

struct DriverMapping {
  std::string omb_name;   // the driver's `name` as written
  std::string driver;     // bakeoff driver
  OutLines system_lines;  // one `- name:` item under `systems:`, indent 2
};

// Each reports every problem through `reader` and fills what it can.
void MapWorkload(spec_internal::Reader& reader, const YAML::Node& root, const std::string& file_name,
                 const OmbImportOptions& options, WorkloadMapping& out);
void MapDriver(spec_internal::Reader& reader, const YAML::Node& root, const std::string& file_name,
               const std::string& text, const OmbImportOptions& options, DriverMapping& out);

}  // namespace bakeoff::omb_internal
