#include "results/artifacts.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "results/exports.h"
#include "results/omb_result.h"
#include "results/report_html.h"
#include "results/result_json.h"

namespace bakeoff {

using nlohmann::json;

Status WriteResultArtifacts(const ExperimentResult& result, const std::string& dir) {
  // result.json goes last: it names the hlog files, so it must never exist without them.
  const json document = ResultToJson(result);
  const std::filesystem::path base(dir);
  std::error_code ec;
  std::filesystem::create_directories(base / "hlog", ec);
  if (ec) return IoError("cannot create " + (base / "hlog").string() + ": " + ec.message());
  for (size_t i = 0; i < result.runs.size(); ++i) {
    const RunRecord& run = result.runs[i];
    if (!run.has_metrics) continue;
    const std::string path = (base / HlogFileName(i, run.system)).string();
    if (Status st = WriteFileAtomically(path, RenderRunHlog(run)); !st.ok()) return st;
  }
  if (Status st = WriteFileAtomically((base / "results.csv").string(), RenderCsv(document)); !st.ok())
    return st;
  // OMB's result format: the first run in omb-result.json; with several runs each in omb/ as well.
  if (!result.runs.empty()) {
    if (Status st = WriteFileAtomically((base / "omb-result.json").string(),
                                        RunToOmbResult(result, 0).dump(2) + "\n");
        !st.ok())
      return st;
  }
  if (result.runs.size() > 1) {
    std::filesystem::create_directories(base / "omb", ec);
    if (ec) return IoError("cannot create " + (base / "omb").string() + ": " + ec.message());
    for (size_t i = 0; i < result.runs.size(); ++i) {
      const std::string path = (base / OmbRunFileName(i, result.runs[i].system)).string();
      if (Status st = WriteFileAtomically(path, RunToOmbResult(result, i).dump(2) + "\n"); !st.ok())
        return st;
    }
  }
  if (Status st = WriteFileAtomically((base / "report.html").string(), RenderReportHtml({document}));
      !st.ok())
    return st;
  return WriteResultFile(result, dir);
}

}  // namespace bakeoff
