// How `bakeoff import omb` and `bakeoff run --omb` map OMB files: the choices the command line makes.
#pragma once

#include <string>

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

}  // namespace bakeoff
