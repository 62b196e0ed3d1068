// After a run: record the result directory in the results index and, when the experiment (or the
// caller) names an s3:// target, upload it. `bakeoff run` and `bakeoff serve` both finish this way.
#pragma once

#include <string>

#include "base/status.h"
#include "spec/experiment.h"

namespace bakeoff {

struct PublishOptions {
  // The results root whose index.sqlite records the directory; empty: the output directory's parent
  // (or $BAKEOFF_RESULTS_DIR, see ResolveResultsDir).
  std::string results_dir;
  // s3://bucket/prefix to upload to; empty: no upload.
  std::string s3_target;
};

struct PublishOutcome {
  Status indexed;                // not fatal: the index is derived data (`results reindex` rebuilds it)
  Status uploaded;               // fatal for the caller: the result is not where the experiment said
  std::string uploaded_prefix;   // s3://bucket/prefix/<id> when uploaded
};

// Where `bakeoff run` writes when the experiment or --output names an s3:// target: "" when neither
// does. `output_flag` is --output (may be empty).
std::string S3TargetOf(const Experiment& experiment, const std::string& output_flag);

PublishOutcome PublishResult(const Experiment& experiment, const std::string& output_dir,
                             const PublishOptions& options);

}  // namespace bakeoff
