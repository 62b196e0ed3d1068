#include "run/publish.h"

#include <filesystem>
#include <memory>

#include "results/index_store.h"
#include "results/s3_store.h"

namespace bakeoff {

std::string S3TargetOf(const Experiment& experiment, const std::string& output_flag) {
  if (IsS3Url(output_flag)) return output_flag;
  if (output_flag.empty() && IsS3Url(experiment.output.dir)) return experiment.output.dir;
  return "";
}

namespace {

Status IndexDir(const std::string& output_dir, const std::string& results_dir) {
  const std::filesystem::path parent = std::filesystem::absolute(output_dir).lexically_normal().parent_path();
  Result<ResultIndex> index = ResultIndex::Open(ResolveResultsDir(results_dir, parent.string()));
  if (!index.ok()) return index.status();
  return index->Add(output_dir);
}

Result<std::string> Upload(const std::string& local_dir, const std::string& url, const OutputSpec& output) {
  Result<S3Location> location = ParseS3Url(url);
  if (!location.ok()) return location.status();
  Result<std::unique_ptr<S3Store>> s3 = S3Store::Create({output.endpoint, output.region});
  if (!s3.ok()) return s3.status();
  return UploadResultDir(**s3, *location, local_dir);
}

}  // namespace

PublishOutcome PublishResult(const Experiment& experiment, const std::string& output_dir,
                             const PublishOptions& options) {
  PublishOutcome outcome;
  outcome.indexed = IndexDir(output_dir, options.results_dir);
  if (!options.s3_target.empty()) {
    Result<std::string> uploaded = Upload(output_dir, options.s3_target, experiment.output);
    if (uploaded.ok()) {
      outcome.uploaded_prefix = *uploaded;
    } else {
      outcome.uploaded = uploaded.status();
    }
  }
  return outcome;
}

}  // namespace bakeoff
