#include "spec/option_binding.h"

#include <iomanip>
#include <sstream>

namespace bakeoff::option_binding_internal {

Status BindError(const OptionSpec& spec, const std::string& what) {
  return InvalidArgument("option `" + spec.name + "` (" + OptionTypeName(spec.type) + "): " + what);
}

Status CheckRange(const OptionSpec& spec, double value) {
  if ((spec.min && value < *spec.min) || (spec.max && value > *spec.max)) {
    const bool seconds = spec.type == OptionType::kDuration;
    auto number = [](double x) {  // 300 as "300", 0.001 as "0.001", 1e12 as "1000000000000"
      std::ostringstream out;
      out << std::setprecision(15) << x;
      return out.str();
    };
    const std::string low = spec.min ? number(*spec.min) : "-inf";
    const std::string high = spec.max ? number(*spec.max) : "inf";
    return BindError(spec, number(value) + (seconds ? " s" : "") + " is outside [" + low + ", " + high + "]" +
                               (seconds ? " s" : ""));
  }
  return Status::Ok();
}

std::string DescribeValue(const OptionValue& value) {
  OptionSpec plain;
  plain.type = OptionType::kInt;
  return FormatOptionValue(plain, value);
}

}  // namespace bakeoff::option_binding_internal
