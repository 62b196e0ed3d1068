// The `workload` and `output` sections of an experiment file.
#pragma once

#include "spec/experiment.h"
#include "spec/internal/yaml_reader.h"

namespace bakeoff::spec_internal {

// Smallest message: the harness header (producer id, sequence, timestamp) must fit.
inline constexpr int64_t kMinMessageBytes = 32;
inline constexpr int64_t kMaxMessageBytes = int64_t{100} << 20;

// Fills `workload` from the map in `field`; fields not given keep their defaults.
void ParseWorkload(Reader& reader, const Field& field, WorkloadSpec& workload);

void ParseOutput(Reader& reader, const Field& field, OutputSpec& output);

}  // namespace bakeoff::spec_internal
