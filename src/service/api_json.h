// The JSON shapes of docs/api-v1.md, built from queue rows and the scheduler's live status. Pure
// functions: the HTTP layer and the SSE events both use them, so a summary reads the same everywhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/experiment_queue.h"
#include "service/live_status.h"

namespace bakeoff {

// "2026-12-06T01:02:03.456Z"; null for 0.
nlohmann::json TimeJson(int64_t unix_ns);
// {"error": {"code", "message"}}
nlohmann::json ErrorJson(const std::string& code, const std::string& message);

// The summary of docs/api-v1.md. `position`: 1-based queue place (queued only); `live`: the scheduler's
// status when this is the running experiment, else nullptr.
nlohmann::json SummaryJson(const ExperimentRecord& record, std::optional<int> position, const LiveStatus* live,
                           int64_t now_unix_ns);
// The summary plus spec, spec_format, error and links to the result files that exist.
nlohmann::json DetailJson(const ExperimentRecord& record, std::optional<int> position, const LiveStatus* live,
                          int64_t now_unix_ns);
// The `progress` object of the contract.
nlohmann::json ProgressJson(const ProgressLine& progress);

// One headline entry per run of a result.json `runs` array.
nlohmann::json HeadlineFromRuns(const nlohmann::json& runs);

// The compare object of the contract for results in `ids` order (each a result.json).
nlohmann::json CompareJson(const std::vector<std::string>& ids, const std::vector<nlohmann::json>& results);

}  // namespace bakeoff
