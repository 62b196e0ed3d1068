// Validation of a user's option map against a driver's or provider's OptionSchema.
#pragma once

#include <string>
#include <vector>

#include "spec/internal/yaml_reader.h"
#include "spec/option_schema.h"

namespace bakeoff::spec_internal {

// Validates the map in `field` against `schema` and returns the given values with defaults applied.
// `owner` names the schema's owner in messages ("driver `kafka`"). Keys in `reserved` (e.g. `provider`
// in an environment map) are accepted and skipped; the caller reads them. Every problem is reported to
// `reader`; the returned values are then incomplete.
OptionValues ValidateOptions(Reader& reader, const OptionSchema& schema, const Field& field,
                             const std::string& owner, const std::vector<std::string>& reserved = {});

}  // namespace bakeoff::spec_internal
