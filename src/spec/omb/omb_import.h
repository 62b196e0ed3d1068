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

namespace bakeoff {

struct OmbImportOptions {
  std::string workload_path;  // OMB workload YAML
  std::string driver_path;    // OMB driver YAML
  // existing: connect to the hosts the driver file names; local: bakeoff starts the server(s) on this
  // machine; embedded: librdkafka's mock cluster (Kafka driver files only). Local and embedded ignore
  // the driver file's hosts.
  std::string environment = "existing";
  double duration_scale = 1.0;  // multiplies warmupDurationMinutes and testDurationMinutes; > 0
  double rate_scale = 1.0;      // multiplies producerRate (and find-max's start rate); > 0
  // Where the text will be written; a payloadFile is then named relative to its directory. Empty:
  // the text is parsed in memory and the payload file is named by its absolute path.
  std::string output_path;
};

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
