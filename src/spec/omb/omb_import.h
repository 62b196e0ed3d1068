// OpenMessaging Benchmark (OMB) files -> a bakeoff experiment file.
//
// OMB describes a test with two YAML files: a workload (topics, partitionsPerTopic, producerRate, ...)
// and a driver file (driverClass plus the client settings of one system). ImportOmb reads both
// strictly -- an unknown key is an error with file:line:col and a did-you-mean, where OMB ignores it
// -- and writes the equivalent bakeoff experiment as YAML text in which every line says which OMB key
// it comes from. `bakeoff import omb` writes that text to a file; `bakeoff run --omb` parses it like
// any experiment file, so an imported run and a run of the written file are the same run.
//
// Depends on the spec layer only: the bakeoff option names it writes are checked when the text is
// parsed against the driver and provider schemas (bakeoff validate).
#pragma once

#include <string>
#include <vector>

#include "spec/diagnostic.h"
#include "spec/omb/omb_options.h"

namespace bakeoff {

struct OmbImport {
  std::string yaml;                     // the experiment file; meaningful only when ok()
  std::vector<Diagnostic> diagnostics;  // every problem of both files, each naming file:line:col
  bool ok() const { return diagnostics.empty(); }
};

// Reads both files (bounded, regular files only) and maps them. Never throws.
[[nodiscard]] OmbImport ImportOmb(const OmbImportOptions& options);

// The same from texts already read; `*_name` names the files in diagnostics and comments, and the
// workload's directory is where a relative payloadFile is looked for after the current directory.
[[nodiscard]] OmbImport ImportOmbTexts(const std::string& workload_text, const std::string& workload_name,
                                       const std::string& driver_text, const std::string& driver_name,
                                       const OmbImportOptions& options);

}  // namespace bakeoff
