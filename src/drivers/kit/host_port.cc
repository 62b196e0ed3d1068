#include "drivers/kit/host_port.h"

#include <cctype>

namespace bakeoff::drivers_kit {

Result<HostPort> ParseHostPort(std::string_view text, const HostPort& defaults, std::string_view what) {
  HostPort out = defaults;
  std::string_view host = text;
  const size_t bracket = text.rfind(']');
  const size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = text.substr(colon + 1);
    int value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        digits = false;
        break;
      }
      value = value * 10 + (c - '0');
    }
    if (!digits || value < 1 || value > 65535) {
      return InvalidArgument(std::string(what) + ": bad port \"" + std::string(port) + "\" in url");
    }
    out.port = value;
    host = text.substr(0, colon);
  }
  if (!host.empty()) out.host = std::string(host);
  return out;
}

}  // namespace bakeoff::drivers_kit
