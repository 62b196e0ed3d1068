#include "service/openapi.h"

#include <string>

namespace bakeoff {
namespace {

using nlohmann::json;

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json JsonResponse(const std::string& description, const json& schema) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
}

json ErrorResponse(const std::string& description) { return JsonResponse(description, Ref("Error")); }

json PathParam(const std::string& name, const std::string& pattern) {
  return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}, {"pattern", pattern}}}};
}

json QueryParam(const std::string& name, const json& schema, const std::string& description) {
  return {{"name", name}, {"in", "query"}, {"required", false}, {"schema", schema}, {"description", description}};
}

json FileResponse(const std::string& media, const std::string& description) {
  return {{"200", {{"description", description}, {"content", {{media, {{"schema", {{"type", "string"}}}}}}}}},
          {"404", ErrorResponse("not written (yet), or no such experiment")}};
}

json BuildDocument() {
  const json id = PathParam("id", "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$");
  const json bearer = json::array({{{"bearer", json::array()}}});
  json paths;
  paths["/api/v1/experiments"]["post"] = {
      {"summary", "Submit an experiment (validated like `bakeoff validate`)"},
      {"security", bearer},
      {"parameters", {QueryParam("dry_run", {{"type", "boolean"}}, "validate only")}},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/yaml", {{"schema", {{"type", "string"}}}}},
          {"text/yaml", {{"schema", {{"type", "string"}}}}},
          {"application/x-yaml", {{"schema", {{"type", "string"}}}}},
          {"application/json", {{"schema", {{"type", "object"}}}}}}}}},
      {"responses",
       {{"201", JsonResponse("queued; Location names the experiment", Ref("Submitted"))},
        {"200", JsonResponse("dry run: valid", {{"type", "object"}})},
        {"400", ErrorResponse("invalid experiment: errors[] with line, column, path, message, suggestion")},
        {"401", ErrorResponse("no or wrong token")},
        {"413", ErrorResponse("body over the limit")},
        {"415", ErrorResponse("not YAML or JSON")},
        {"503", ErrorResponse("queue_full or shutting_down")}}}};
  paths["/api/v1/experiments"]["get"] = {
      {"summary", "List experiments, newest first"},
      {"parameters",
       {QueryParam("state", {{"type", "string"}}, "only this state"), QueryParam("name", {{"type", "string"}}, "experiment name"),
        QueryParam("system", {{"type", "string"}}, "one of its systems"),
        QueryParam("limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}, "page size, default 50"),
        QueryParam("cursor", {{"type", "string"}}, "next_cursor of the previous page")}},
      {"responses", {{"200", JsonResponse("a page", Ref("ExperimentPage"))}, {"400", ErrorResponse("bad filter")}}}};
  paths["/api/v1/experiments/{id}"]["get"] = {
      {"summary", "One experiment: state, position, current run, progress, links"},
      {"parameters", {id}},
      {"responses", {{"200", JsonResponse("the experiment", Ref("ExperimentDetail"))}, {"404", ErrorResponse("no such experiment")}}}};
  paths["/api/v1/experiments/{id}"]["delete"] = {
      {"summary", "Cancel: a queued one never runs; a running one stops like Ctrl-C and is torn down"},
      {"security", bearer},
      {"parameters", {id}},
      {"responses",
       {{"200", JsonResponse("was queued: cancelled", Ref("ExperimentSummary"))},
        {"202", JsonResponse("running: stop requested", Ref("ExperimentSummary"))},
        {"404", ErrorResponse("no such experiment")},
        {"409", ErrorResponse("already ended")}}}};
  paths["/api/v1/experiments/{id}/events"]["get"] = {
      {"summary", "Server-Sent Events: state (first, and at every change), progress (each second), log, end"},
      {"parameters", {id}},
      {"responses",
       {{"200", {{"description", "event stream"}, {"content", {{"text/event-stream", {{"schema", {{"type", "string"}}}}}}}}},
        {"404", ErrorResponse("no such experiment")}}}};
  paths["/api/v1/experiments/{id}/result"]["get"] = {
      {"summary", "result.json"}, {"parameters", {id}}, {"responses", FileResponse("application/json", "result.json")}};
  paths["/api/v1/experiments/{id}/report"]["get"] = {
      {"summary", "report.html"}, {"parameters", {id}}, {"responses", FileResponse("text/html", "report.html")}};
  paths["/api/v1/experiments/{id}/results.csv"]["get"] = {
      {"summary", "results.csv"}, {"parameters", {id}}, {"responses", FileResponse("text/csv", "results.csv")}};
  paths["/api/v1/experiments/{id}/hlog/{file}"]["get"] = {
      {"summary", "One run's HdrHistogram log"},
      {"parameters", {id, PathParam("file", "^[A-Za-z0-9_-][A-Za-z0-9._-]*\\.hlog$")}},
      {"responses", FileResponse("text/plain", "the hlog file")}};
  paths["/api/v1/compare"]["get"] = {
      {"summary", "What `bakeoff compare` computes, as JSON"},
      {"parameters", {QueryParam("ids", {{"type", "string"}}, "A,B[,C]: 2 to 10 experiment ids")}},
      {"responses", {{"200", JsonResponse("the comparison", Ref("Compare"))}, {"400", ErrorResponse("fewer than 2 ids, or one without a result")}}}};
  paths["/api/v1/shutdown"]["post"] = {
      {"summary", "Deploy hook: stop now when idle; 409 while busy (and start nothing new); ?when=idle stops after the run"},
      {"security", bearer},
      {"parameters", {QueryParam("when", {{"type", "string"}, {"enum", {"idle"}}}, "stop by itself once idle")}},
      {"responses",
       {{"202", JsonResponse("stopping or draining", {{"type", "object"}})},
        {"409", JsonResponse("busy: running id and eta_s", {{"type", "object"}})},
        {"401", ErrorResponse("no or wrong token")}}}};
  paths["/api/v1/health"]["get"] = {{"summary", "Liveness and what the server does"},
                                    {"responses", {{"200", JsonResponse("ok", {{"type", "object"}})}}}};
  paths["/api/v1/examples"]["get"] = {{"summary", "The server's example experiment files"},
                                      {"responses", {{"200", JsonResponse("examples", {{"type", "object"}})}}}};
  paths["/api/v1/openapi.json"]["get"] = {{"summary", "This document"},
                                          {"responses", {{"200", JsonResponse("OpenAPI 3.1", {{"type", "object"}})}}}};
  paths["/metrics"]["get"] = {
      {"summary", "Prometheus text format 0.0.4"},
      {"responses", {{"200", {{"description", "metrics"}, {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}}}}};

  json schemas;
  schemas["Error"] = {{"type", "object"},
                      {"required", {"error"}},
                      {"properties",
                       {{"error", {{"type", "object"}, {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}},
                        {"errors", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}};
  schemas["Submitted"] = {{"type", "object"},
                          {"properties", {{"id", {{"type", "string"}}}, {"state", {{"const", "queued"}}}, {"position", {{"type", {"integer", "null"}}}}}}};
  schemas["ExperimentSummary"] = {
      {"type", "object"},
      {"required", {"id", "name", "state", "systems", "submitted_at"}},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"name", {{"type", "string"}}},
        {"state",
         {{"enum", {"queued", "provisioning", "running", "tearing_down", "succeeded", "failed", "threshold_failed",
                    "not_sustained", "cancelled", "interrupted"}}}},
        {"position", {{"type", {"integer", "null"}}}},
        {"systems", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"submitted_at", {{"type", "string"}}},
        {"started_at", {{"type", {"string", "null"}}}},
        {"finished_at", {{"type", {"string", "null"}}}},
        {"duration_s", {{"type", {"number", "null"}}}},
        {"exit_code", {{"type", {"integer", "null"}}}},
        {"current", {{"type", {"object", "null"}}}},
        {"progress", {{"type", {"object", "null"}}}},
        {"headline", {{"type", "array"}, {"items", {{"type", "object"}}}}},
        {"cancel_requested", {{"type", "boolean"}}}}}};
  schemas["ExperimentDetail"] = {
      {"allOf",
       {Ref("ExperimentSummary"),
        {{"type", "object"},
         {"properties",
          {{"spec", {{"type", "string"}}},
           {"spec_format", {{"enum", {"yaml", "json"}}}},
           {"error", {{"type", {"string", "null"}}}},
           {"links", {{"type", "object"}}}}}}}}};
  schemas["ExperimentPage"] = {
      {"type", "object"},
      {"properties",
       {{"experiments", {{"type", "array"}, {"items", Ref("ExperimentSummary")}}}, {"next_cursor", {{"type", {"string", "null"}}}}}}};
  schemas["Compare"] = {{"type", "object"},
                        {"properties",
                         {{"ids", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                          {"rows", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                          {"spectra", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}};
  return {{"openapi", "3.1.0"},
          {"info", {{"title", "bakeoff serve"}, {"version", "1"}, {"description", "docs/api-v1.md in the bakeoff repository"}}},
          {"paths", paths},
          {"components", {{"schemas", schemas}, {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace

const json& OpenApiDocument() {
  static const json kDocument = BuildDocument();
  return kDocument;
}

}  // namespace bakeoff
