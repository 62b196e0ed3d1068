#include "spec/option_binding.h"

namespace bakeoff::option_binding_internal {

Status BindError(const OptionSpec& spec, const std::string& what) {
  return InvalidArgument("option `" + spec.name + "` (" + OptionTypeName(spec.type) + "): " + what);
}

Status CheckRange(const OptionSpec& spec, double value) {
  if ((spec.min && value < *spec.min) || (spec.max && value > *spec.max)) {
    const bool seconds = spec.type == OptionType::kDuration;
    OptionSpec plain;  // renders the bounds as numbers
    plain.type = OptionType::kDouble;
    const std::string low = spec.min ? FormatOptionValue(plain, *spec.min) : "-inf";
    const std::string high = spec.max ? FormatOptionValue(plain, *spec.max) : "inf";
    return BindError(spec, FormatOptionValue(plain, value) + (seconds ? " s" : "") + " is outside [" + low +
                               ", " + high + "]" + (seconds ? " s" : ""));
  }
  return Status::Ok();
}

std::string DescribeValue(const OptionValue& value) {
  OptionSpec plain;
  plain.type = OptionType::kInt;
  return FormatOptionValue(plain, value);
}

}  // namespace bakeoff::option_binding_internal
