#include "spec/parser.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spec/bounded_file.h"
#include "spec/internal/matrix_parser.h"
#include "spec/internal/option_validation.h"
#include "spec/internal/suggest.h"
#include "spec/internal/threshold_parser.h"
#include "spec/internal/workload_parser.h"
#include "spec/internal/yaml_reader.h"
#include "spec/limits.h"

namespace bakeoff {

using spec_internal::Field;
using spec_internal::FindEntry;
using spec_internal::MapEntry;
using spec_internal::Reader;

namespace {

// Names end up in directory names and result tables: keep them to a portable alphabet.
bool IsValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> ReadName(Reader& reader, const Field& field, const std::string& what) {
  std::optional<std::string> name = reader.ReadScalar(field, what);
  if (!name) return std::nullopt;
  if (!IsValidName(*name)) {
    reader.Report(field.mark, field.path,
                  Reader::Describe(field.node) + " is not a valid " + what +
                      "; use only letters, digits, `.`, `_` and `-`");
    return std::nullopt;
  }
  return name;
}

// `environment: embedded` or `environment: {provider: embedded, <provider options>}`.
void ParseEnvironment(Reader& reader, const SchemaLookup& schemas, const Field& field,
                      EnvironmentSpec& environment) {
  // Fields are built, never assigned: assigning to a YAML::Node rewrites the tree it refers to.
  std::vector<std::string> providers = schemas.ProviderNames();
  bool has_options = field.node.IsMap();
  if (!has_options && !field.node.IsScalar()) {
    reader.Report(
        field.mark, field.path,
        "expected a provider name such as `embedded`, or a map with `provider:` and its options, found " +
            Reader::Describe(field.node));
    return;
  }
  const YAML::Node provider_node = has_options ? field.node["provider"] : field.node;
  if (!provider_node) {
    (void)reader.ReadMap(field, nullptr, "");  // still reports repeated keys
    reader.Report(field.mark, field.Child("provider"),
                  "missing required key `provider`: one of " + spec_internal::JoinQuoted(providers));
    return;
  }
  const Field provider_field{provider_node, provider_node.IsNull() ? field.mark : provider_node.Mark(),
                             has_options ? field.Child("provider") : field.path};
  std::optional<std::string> provider = reader.ReadScalar(provider_field, "a provider name");
  if (!provider) return;
  const OptionSchema* schema = schemas.ProviderSchema(*provider);
  if (schema == nullptr) {
    reader.Report(
        provider_field.mark, provider_field.path,
        "unknown provider `" + *provider + "`; expected one of " + spec_internal::JoinQuoted(providers),
        spec_internal::DidYouMean(*provider, providers));
    return;
  }
  environment.provider = *provider;
  const Field options_field =
      has_options ? field : Field{YAML::Node(YAML::NodeType::Null), field.mark, field.path};
  environment.options = spec_internal::ValidateOptions(reader, *schema, options_field,
                                                       "provider `" + *provider + "`", {"provider"});
}

void ParseSystem(Reader& reader, const SchemaLookup& schemas, const Field& field, SystemSpec& system) {
  static const std::vector<std::string> kKeys = {"name", "driver", "environment", "options"};
  system.location = reader.Locate(field.mark);
  auto entries = reader.ReadMap(field, &kKeys, "in a system");
  if (!entries) return;
  if (const MapEntry* name = reader.Require(*entries, field, "name", "a unique name for this system")) {
    if (auto text = ReadName(reader, name->value, "system name")) system.name = *text;
  }
  std::vector<std::string> drivers = schemas.DriverNames();
  const OptionSchema* driver_schema = nullptr;
  if (const MapEntry* driver =
          reader.Require(*entries, field, "driver", "one of " + spec_internal::JoinQuoted(drivers))) {
    if (auto text = reader.ReadScalar(driver->value, "a driver name")) {
      driver_schema = schemas.DriverSchema(*text);
      if (driver_schema == nullptr) {
        reader.Report(driver->value.mark, driver->value.path,
                      "unknown driver `" + *text + "`; expected one of " + spec_internal::JoinQuoted(drivers),
                      spec_internal::DidYouMean(*text, drivers));
      } else {
        system.driver = *text;
      }
    }
  }
  if (const MapEntry* environment = FindEntry(*entries, "environment")) {
    ParseEnvironment(reader, schemas, environment->value, system.environment);
  } else if (const OptionSchema* schema = schemas.ProviderSchema(system.environment.provider)) {
    Field empty{YAML::Node(YAML::NodeType::Null), field.mark, field.Child("environment")};
    system.environment.options = spec_internal::ValidateOptions(
        reader, *schema, empty, "provider `" + system.environment.provider + "`", {"provider"});
  } else {
    reader.Report(field.mark, field.Child("environment"),
                  "missing `environment`: one of " + spec_internal::JoinQuoted(schemas.ProviderNames()));
  }
  const MapEntry* options = FindEntry(*entries, "options");
  Field options_field = options != nullptr
                            ? options->value
                            : Field{YAML::Node(YAML::NodeType::Null), field.mark, field.Child("options")};
  if (driver_schema != nullptr) {
    system.options = spec_internal::ValidateOptions(reader, *driver_schema, options_field,
                                                    "driver `" + system.driver + "`");
  } else if (options != nullptr) {
    (void)reader.ReadMap(options_field, nullptr, "");  // still check the shape
  }
}

void ParseSystems(Reader& reader, const SchemaLookup& schemas, const Field& field,
                  std::vector<SystemSpec>& systems) {
  if (!field.node.IsSequence() || field.node.size() == 0) {
    reader.Report(
        field.mark, field.path,
        "expected a list of systems (`- name: ...` lines), found " +
            (field.node.IsSequence() ? std::string("an empty list") : Reader::Describe(field.node)));
    return;
  }
  for (size_t i = 0; i < field.node.size(); ++i) {
    const YAML::Node node = field.node[i];
    Field item{node, node.Mark(), field.path + "[" + std::to_string(i) + "]"};
    if (node.IsNull()) item.mark = field.mark;
    SystemSpec system;
    ParseSystem(reader, schemas, item, system);
    if (!system.name.empty()) {
      for (const SystemSpec& earlier : systems) {
        if (earlier.name != system.name) continue;
        YAML::Node name_node = node["name"];
        YAML::Mark mark = name_node ? name_node.Mark() : item.mark;
        reader.Report(mark, item.Child("name"),
                      "duplicate system name `" + system.name + "`; first used at line " +
                          std::to_string(earlier.location.line) + "; each system needs a unique name");
        break;
      }
    }
    systems.push_back(std::move(system));
  }
}

// The sections a matrix point may change: `systems` and `workload`.
void ParsePointSections(Reader& reader, const SchemaLookup& schemas, const YAML::Node& root,
                        std::vector<SystemSpec>& systems, WorkloadSpec& workload) {
  if (const YAML::Node node = root["systems"]) {
    ParseSystems(reader, schemas, Field{node, node.Mark(), "systems"}, systems);
  }
  if (const YAML::Node node = root["workload"]) {
    spec_internal::ParseWorkload(reader, Field{node, node.Mark(), "workload"}, workload);
  }
}

void ParseRoot(Reader& reader, const SchemaLookup& schemas, const YAML::Node& root,
               const spec_internal::RootLoader& load_root, Experiment& experiment) {
  static const std::vector<std::string> kKeys = {"name",   "description", "systems", "workload",
                                                 "output", "thresholds",  "matrix",  "repeat"};
  Field field{root, root.Mark(), ""};
  if (field.mark.is_null()) field.mark = YAML::Mark();
  if (!root.IsMap()) {
    reader.Report(field.mark, "",
                  "an experiment file must be a map with `name`, `systems` and `workload`, found " +
                      Reader::Describe(root));
    return;
  }
  auto entries = reader.ReadMap(field, &kKeys, "at the top level");
  if (!entries) return;
  if (const MapEntry* name = reader.Require(*entries, field, "name", "the experiment's name")) {
    if (auto text = ReadName(reader, name->value, "experiment name")) experiment.name = *text;
  }
  if (const MapEntry* description = FindEntry(*entries, "description")) {
    if (!description->value.node.IsNull()) {
      if (auto text = reader.ReadScalar(description->value, "text")) experiment.description = *text;
    }
  }
  if (const MapEntry* systems =
          reader.Require(*entries, field, "systems", "the list of systems to compare")) {
    ParseSystems(reader, schemas, systems->value, experiment.systems);
  }
  if (const MapEntry* workload = FindEntry(*entries, "workload")) {
    spec_internal::ParseWorkload(reader, workload->value, experiment.workload);
  }
  if (const MapEntry* output = FindEntry(*entries, "output")) {
    spec_internal::ParseOutput(reader, output->value, experiment.output);
  }
  std::vector<std::string> system_names;
  for (const SystemSpec& system : experiment.systems) system_names.push_back(system.name);
  if (const MapEntry* thresholds = FindEntry(*entries, "thresholds")) {
    spec_internal::ParseThresholds(reader, thresholds->value, system_names, experiment.thresholds);
  }
  if (const MapEntry* repeat = FindEntry(*entries, "repeat")) {
    if (auto count = reader.ReadInt(repeat->value, 1, 1000)) experiment.repeat = static_cast<int>(*count);
  }
  std::vector<spec_internal::MatrixAxisNodes> axes;
  if (const MapEntry* matrix = FindEntry(*entries, "matrix")) {
    axes = spec_internal::ParseMatrix(reader, matrix->value, system_names);
  }
  // Points are validated only once the file itself is sound: otherwise every point repeats its problems.
  if (axes.empty() || reader.has_diagnostics()) {
    experiment.points.push_back(MatrixPoint{{}, experiment.systems, experiment.workload});
    return;
  }
  for (const auto& axis : axes) experiment.matrix.push_back(axis.axis);
  experiment.points = spec_internal::ExpandMatrix(
      reader, load_root, axes,
      [&schemas](Reader& point_reader, const YAML::Node& point_root, MatrixPoint& point) {
        ParsePointSections(point_reader, schemas, point_root, point.systems, point.workload);
      });
}

// Applies `overrides` to `root`; problems go to `reader`. False if one could not be applied.
bool ApplyOverrides(Reader& reader, const YAML::Node& root,
                    const std::vector<ExperimentOverride>& overrides) {
  bool ok = true;
  for (const ExperimentOverride& o : overrides) {
    YAML::Node value;
    try {
      value = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      reader.Report(YAML::Mark::null_mark(), o.path, "--set " + o.path + "=" + o.value + ": " + e.msg);
      ok = false;
      continue;
    }
    if (!root.IsMap() || !spec_internal::Substitute(root, o.path, value)) {
      reader.Report(YAML::Mark::null_mark(), o.path,
                    "--set " + o.path +
                        ": cannot put a value there; paths look like `workload.duration` or "
                        "`systems.NAME.options.KEY` (NAME: a system of the file)");
      ok = false;
    }
  }
  return ok;
}

}  // namespace

ParseOutcome ParseExperiment(const std::string& yaml_text, const std::string& file_name,
                             const SchemaLookup& schemas, const std::vector<ExperimentOverride>& overrides) {
  ParseOutcome outcome;
  outcome.experiment.source_file = file_name;
  Reader reader(file_name);
  // yaml-cpp reports through exceptions; none may leave this function.
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(yaml_text);
    if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
      reader.Report(YAML::Mark(), "",
                    "the experiment file is empty; it needs at least `name`, `systems` and `workload`");
    } else {
      if (documents.size() > 1) {
        reader.Report(documents[1].Mark(), "",
                      "the file holds more than one YAML document (`---`); write one experiment per file");
      }
      const spec_internal::RootLoader load_root = [&yaml_text, &overrides] {
        YAML::Node root = YAML::Load(yaml_text);
        Reader ignored("");
        ApplyOverrides(ignored, root, overrides);  // reported once, below
        return root;
      };
      if (ApplyOverrides(reader, documents[0], overrides))
        ParseRoot(reader, schemas, documents[0], load_root, outcome.experiment);
    }
  } catch (const YAML::DeepRecursion& e) {
    reader.Report(e.mark, "", "the YAML is nested too deeply (" + std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    reader.Report(e.mark, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    reader.Report(YAML::Mark::null_mark(), "", std::string("could not read the experiment: ") + e.what());
  } catch (...) {
    reader.Report(YAML::Mark::null_mark(), "", "could not read the experiment: unknown error");
  }
  outcome.diagnostics = reader.TakeDiagnostics();
  return outcome;
}

ParseOutcome ParseExperimentFile(const std::string& path, const SchemaLookup& schemas,
                                 const std::vector<ExperimentOverride>& overrides) {
  Result<std::string> text = ReadBoundedRegularFile(path, kMaxExperimentFileBytes, "experiment file");
  if (!text.ok()) {
    ParseOutcome outcome;
    outcome.experiment.source_file = path;
    outcome.diagnostics.push_back(Diagnostic{SourceLocation{path, 0, 0}, "", text.status().message(), ""});
    return outcome;
  }
  ParseOutcome outcome = ParseExperiment(*text, path, schemas, overrides);
  // The payload file is read by every run: check it now (relative to the experiment file).
  const PayloadSpec& payload = outcome.experiment.workload.payload;
  if (outcome.ok() && payload.kind == PayloadSpec::Kind::kFile) {
    std::filesystem::path file(payload.file);
    if (file.is_relative()) file = std::filesystem::path(path).parent_path() / file;
    Result<int64_t> size = CheckBoundedRegularFile(file.string(), kMaxPayloadFileBytes, "payload file");
    std::string problem = size.ok() ? "" : size.status().message();
    if (size.ok() && *size == 0) problem = "payload file " + file.string() + " is empty";
    // Each message is a slice of the file: a file shorter than a message would repeat itself inside it.
    const MessageSizeSpec& ms = outcome.experiment.workload.message_size;
    const int64_t largest =
        ms.distribution == MessageSizeSpec::Distribution::kFixed ? ms.fixed_bytes : ms.max_bytes;
    if (problem.empty() && size.ok() && *size < largest) {
      problem = "payload file " + file.string() + " is " + std::to_string(*size) +
                " bytes, shorter than the " + std::to_string(largest) +
                "-byte messages; use a file of at least the message size or set " +
                "message_size to at most " + std::to_string(*size) + "B";
    }
    if (!problem.empty())
      outcome.diagnostics.push_back(Diagnostic{payload.location, "workload.payload.file", problem, ""});
  }
  return outcome;
}

}  // namespace bakeoff
