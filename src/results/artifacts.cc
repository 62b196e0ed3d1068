#include "results/artifacts.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "results/exports.h"
#include "results/report_html.h"
#include "results/result_json.h"

namespace bakeoff {

using nlohmann::json;

Status WriteResultArtifacts(const ExperimentResult& result, const std::string& dir) {
  if (Status st = WriteResultFile(result, dir); !st.ok()) return st;
  const json document = ResultToJson(result);
  const std::filesystem::path base(dir);
  if (Status st = WriteFileAtomically((base / "results.csv").string(), RenderCsv(document)); !st.ok())
    return st;
  std::error_code ec;
  std::filesystem::create_directories(base / "hlog", ec);
  if (ec) return IoError("cannot create " + (base / "hlog").string() + ": " + ec.message());
  for (size_t i = 0; i < result.runs.size(); ++i) {
    const RunRecord& run = result.runs[i];
    if (!run.has_metrics) continue;
    const std::string path = (base / HlogFileName(i, run.system)).string();
    if (Status st = WriteFileAtomically(path, RenderRunHlog(run)); !st.ok()) return st;
  }
  return WriteFileAtomically((base / "report.html").string(), RenderReportHtml({document}));
}

}  // namespace bakeoff
