// The OpenAPI 3.1 description of docs/api-v1.md, served at GET /api/v1/openapi.json. A test checks
// that its paths and methods are exactly the routes the server registers.
#pragma once

#include <nlohmann/json.hpp>

namespace bakeoff {

const nlohmann::json& OpenApiDocument();

}  // namespace bakeoff
