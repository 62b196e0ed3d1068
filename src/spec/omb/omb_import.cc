#include "spec/omb/omb_import.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>

#include "spec/bounded_file.h"
#include "spec/limits.h"
#include "spec/omb/omb_mapping.h"

namespace bakeoff {
namespace omb_internal {
namespace {

std::string Render(const OutLines& lines) {
  size_t column = 0;
  for (const OutLine& l : lines) {
    if (!l.text.empty()) column = std::max(column, l.indent + l.text.size() + 2);
  }
  column = std::min<size_t>(column, 56);
  std::string out;
  for (const OutLine& l : lines) {
    std::string line(static_cast<size_t>(l.indent), ' ');
    if (l.text.empty()) {
      line += "# " + l.comment;
    } else {
      line += l.text;
      if (!l.comment.empty()) {
        line.append(line.size() < column ? column - line.size() : 2, ' ');
        line += "# " + l.comment;
      }
    }
    out += line + "\n";
  }
  return out;
}

// One file's YAML document; reports syntax errors through `reader`.
std::optional<YAML::Node> Load(spec_internal::Reader& reader, const std::string& text,
                               const std::string& what) {
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
      reader.Report(YAML::Mark(), "", "the " + what + " is empty");
      return std::nullopt;
    }
    if (documents.size() > 1) {
      reader.Report(documents[1].Mark(), "", "the " + what + " holds more than one YAML document (`---`)");
    }
    return documents[0];
  } catch (const YAML::DeepRecursion& e) {
    reader.Report(e.mark, "", "the YAML is nested too deeply (" + std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    reader.Report(e.mark, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    reader.Report(YAML::Mark::null_mark(), "", std::string("could not read the ") + what + ": " + e.what());
  }
  return std::nullopt;
}

void CheckOptions(const OmbImportOptions& options, std::vector<Diagnostic>& diagnostics) {
  auto problem = [&](const std::string& flag, const std::string& message) {
    diagnostics.push_back(Diagnostic{SourceLocation{"(command line)", 0, 0}, flag, message, ""});
  };
  if (options.environment != "existing" && options.environment != "local" &&
      options.environment != "embedded")
    problem("--environment", "expected existing, local or embedded, found `" + options.environment + "`");
  if (!(options.duration_scale > 0) || !std::isfinite(options.duration_scale))
    problem("--duration-scale", "must be a number above 0, e.g. 0.05 for a 1/20 run");
  if (!(options.rate_scale > 0) || !std::isfinite(options.rate_scale))
    problem("--rate-scale", "must be a number above 0, e.g. 0.1");
}

}  // namespace
}  // namespace omb_internal

OmbImport ImportOmbTexts(const std::string& workload_text, const std::string& workload_name,
                         const std::string& driver_text, const std::string& driver_name,
                         const OmbImportOptions& options) {
  using namespace omb_internal;
  OmbImport result;
  CheckOptions(options, result.diagnostics);
  if (!result.ok()) return result;
  spec_internal::Reader workload_reader(workload_name);
  spec_internal::Reader driver_reader(driver_name);
  WorkloadMapping workload;
  DriverMapping driver;
  if (auto root = Load(workload_reader, workload_text, "OMB workload file")) {
    try {
      MapWorkload(workload_reader, *root, workload_name, options, workload);
    } catch (const std::exception& e) {
      workload_reader.Report(YAML::Mark::null_mark(), "",
                             std::string("could not read the workload: ") + e.what());
    }
  }
  if (auto root = Load(driver_reader, driver_text, "OMB driver file")) {
    try {
      MapDriver(driver_reader, *root, driver_name, driver_text, options, driver);
    } catch (const std::exception& e) {
      driver_reader.Report(YAML::Mark::null_mark(), "",
                           std::string("could not read the driver file: ") + e.what());
    }
  }
  for (auto* reader : {&workload_reader, &driver_reader}) {
    for (Diagnostic& d : reader->TakeDiagnostics()) result.diagnostics.push_back(std::move(d));
  }
  if (!result.ok()) return result;

  const std::string flags = "--environment " + options.environment + " --duration-scale " +
                            NumberText(options.duration_scale) + " --rate-scale " +
                            NumberText(options.rate_scale);
  OutLines lines;
  lines.push_back({0, "", "Imported from OpenMessaging Benchmark files by `bakeoff import omb`:"});
  lines.push_back({0, "", "  workload " + workload_name});
  lines.push_back({0, "", "  driver   " + driver_name});
  lines.push_back({0, "", "  " + flags});
  lines.push_back({0, "", "Each comment names the OMB key a line comes from. Run it: bakeoff run THIS_FILE"});
  lines.insert(lines.end(), workload.name_lines.begin(), workload.name_lines.end());
  const std::string description =
      "OpenMessaging Benchmark workload \"" +
      (workload.omb_name.empty() ? workload.name : workload.omb_name) + "\" (" +
      std::filesystem::path(workload_name).filename().string() + ") on driver \"" + driver.omb_name + "\" (" +
      std::filesystem::path(driver_name).filename().string() + "), imported with " + flags;
  lines.push_back(
      {0, "description: " + Quoted(description), "the import's sources and scales, kept in result.json"});
  lines.push_back({0, "systems:", ""});
  lines.insert(lines.end(), driver.system_lines.begin(), driver.system_lines.end());
  lines.push_back({0, "workload:", ""});
  lines.insert(lines.end(), workload.workload_lines.begin(), workload.workload_lines.end());
  result.yaml = Render(lines);
  return result;
}

OmbImport ImportOmb(const OmbImportOptions& options) {
  OmbImport result;
  Result<std::string> workload =
      ReadBoundedRegularFile(options.workload_path, kMaxExperimentFileBytes, "OMB workload file");
  Result<std::string> driver =
      ReadBoundedRegularFile(options.driver_path, kMaxExperimentFileBytes, "OMB driver file");
  if (!workload.ok())
    result.diagnostics.push_back(
        Diagnostic{SourceLocation{options.workload_path, 0, 0}, "", workload.status().message(), ""});
  if (!driver.ok())
    result.diagnostics.push_back(
        Diagnostic{SourceLocation{options.driver_path, 0, 0}, "", driver.status().message(), ""});
  if (!result.ok()) return result;
  return ImportOmbTexts(*workload, options.workload_path, *driver, options.driver_path, options);
}

}  // namespace bakeoff
