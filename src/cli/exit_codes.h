// Exit codes of the bakeoff program. Documented in `bakeoff --help` and the README; CI scripts rely on
// them, so never renumber.
#pragma once

#include "run/exit_codes.h"

namespace bakeoff {

inline constexpr const char* kExitCodesHelp =
    "Exit codes:\n"
    "  0    success: every run completed\n"
    "  1    internal error (a bug; please report it)\n"
    "  2    usage error or invalid experiment file (nothing was run)\n"
    "  3    a run failed (environment, connection or driver error); result.json says which\n"
    "  4    every run completed but a threshold (`thresholds:`) was not met\n"
    "  5    every run completed but one was not sustained (sent or received < 90% of the target rate) or\n"
    "       measured nothing (no_data); its status and result.json say which\n"
    "  130  interrupted by Ctrl-C or SIGTERM; partial results were written and everything torn down\n";

}  // namespace bakeoff
