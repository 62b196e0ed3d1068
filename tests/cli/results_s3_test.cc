// The S3 results store through the real binary against s3rver (npm, tools/node), started here on an
// allocated loopback port and stopped by PID: upload after a run, list, fetch, a wrong secret and an
// unknown access key id. s3rver runs behind tools/node/s3rver-sigv4.js, an independent SigV4 verifier
// (s3rver itself does not check V4 signatures), so every request here also cross-checks our signer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "env/process/ports.h"
#include "env/process/process.h"
#include "spawn.h"

namespace {

namespace fs = std::filesystem;
using namespace bakeoff_test;

class ResultsS3Test : public testing::Test {
 protected:
  void SetUp() override {
    // Children get this process's environment plus the test's variables, and the first of two equal
    // names wins: credentials or endpoints from the caller's shell must not take part.
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
          "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"}) {
      unsetenv(name);
    }
    root_ = testing::TempDir() + "/s3-" + std::to_string(getpid());
    fs::remove_all(root_);
    fs::create_directories(root_ + "/data");
    const std::string tools = SourceDir() + "/tools/node";
    if (!fs::exists(tools + "/node_modules/s3rver"))
      GTEST_SKIP() << "s3rver not installed: run ./scripts/setup.sh";
    bakeoff::Result<int> port = bakeoff::AllocateLoopbackPort();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    bakeoff::SpawnRequest request;
    request.argv = {"node",
                    tools + "/s3rver-sigv4.js",
                    "--port",
                    std::to_string(port_),
                    "--directory",
                    root_ + "/data",
                    "--configure-bucket",
                    "bakeoff-results",
                    "--silent"};
    request.working_dir = root_;
    request.log_path = root_ + "/s3rver.log";
    bakeoff::Result<bakeoff::ProcessRef> ref = bakeoff::OsProcessLauncher().Spawn(request);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    server_ = *ref;
    for (int i = 0; i < 200 && !bakeoff::LoopbackPortAccepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(bakeoff::LoopbackPortAccepts(port_)) << Slurp(root_ + "/s3rver.log");
  }
  void TearDown() override {
    if (server_.valid()) {
      (void)bakeoff::OsProcessLauncher().Stop(server_, std::chrono::seconds(3), std::chrono::seconds(2));
    }
    fs::remove_all(root_);
  }

  std::vector<std::string> Env(const std::string& key_id = "S3RVER",
                               const std::string& secret = "S3RVER") const {
    return {"AWS_ACCESS_KEY_ID=" + key_id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_REGION=us-east-1",
            "AWS_ENDPOINT_URL=" + Endpoint(), "BAKEOFF_RESULTS_DIR=" + root_ + "/local"};
  }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // A short memory-driver run whose result goes to s3://bakeoff-results/runs.
  std::string RunSpec() const {
    return WriteFile("s3-run.yaml",
                     "name: s3-upload\nsystems:\n  - name: mem\n    driver: memory\n"
                     "workload:\n  partitions: 1\n  message_size: 64B\n"
                     "  rate: 2k/s\n  warmup: 50ms\n  duration: 300ms\n"
                     "output:\n  dir: s3://bakeoff-results/runs\n  endpoint: " +
                         Endpoint() + "\n  region: us-east-1\n");
  }

  std::string root_;
  int port_ = 0;
  bakeoff::ProcessRef server_;
};

TEST_F(ResultsS3Test, UploadListFetchAndBadCredentials) {
  const std::string file = RunSpec();
  Outcome run = RunBakeoff({"run", file, "--quiet"}, Env());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const size_t at = run.out.find("uploaded: s3://bakeoff-results/runs/");
  ASSERT_NE(at, std::string::npos) << run.out << run.err;
  const std::string url = run.out.substr(at + 10, run.out.find("/ (", at) - at - 10);
  const std::string id = url.substr(url.rfind('/') + 1);
  EXPECT_NE(id.find("-s3-upload"), std::string::npos) << url;
  EXPECT_TRUE(fs::exists(root_ + "/local/" + id + "/result.json")) << "written locally first";

  Outcome list = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"}, Env());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, url + "\n");

  const std::string fetched = root_ + "/fetched";
  Outcome fetch = RunBakeoff({"results", "fetch", url, fetched}, Env());
  ASSERT_EQ(fetch.exit_code, 0) << fetch.err;
  EXPECT_NE(fetch.out.find("fetched 5 file(s)"), std::string::npos) << fetch.out;
  for (const char* name :
       {"result.json", "report.html", "results.csv", "omb-result.json", "hlog/run-01-mem.hlog"}) {
    EXPECT_EQ(Slurp(fetched + "/" + name), Slurp(root_ + "/local/" + id + "/" + name)) << name;
  }
  EXPECT_FALSE(Slurp(fetched + "/result.json").empty());

  // The right access key id with a wrong secret: only the SigV4 check in front of s3rver catches this.
  const std::vector<std::string> wrong_secret = Env("S3RVER", "not-the-secret");
  Outcome bad_list = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"}, wrong_secret);
  EXPECT_EQ(bad_list.exit_code, 3) << bad_list.out;
  EXPECT_NE(bad_list.err.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << bad_list.err;
  EXPECT_NE(bad_list.err.find("authentication failed: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            std::string::npos)
      << bad_list.err;
  EXPECT_NE(bad_list.err.find("the secret access key does not match access key S3RVER"), std::string::npos)
      << bad_list.err;
  // Uploads (PUT with a body) go through the same check: the good run above was verified, not waved on.
  Outcome bad_run = RunBakeoff({"run", file, "--quiet"}, wrong_secret);
  EXPECT_EQ(bad_run.exit_code, 3) << bad_run.out << bad_run.err;
  EXPECT_NE(bad_run.err.find("upload failed: s3: PUT s3://bakeoff-results/runs/"), std::string::npos)
      << bad_run.err;
  EXPECT_NE(bad_run.err.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << bad_run.err;
  for (const Outcome* o : {&bad_list, &bad_run}) {
    EXPECT_EQ((o->out + o->err).find("not-the-secret"), std::string::npos) << "secrets are never printed";
  }

  // An access key id s3rver does not know: s3rver's own answer.
  Outcome bad_key = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"},
                               Env("AKIDWRONG", "not-the-secret"));
  EXPECT_EQ(bad_key.exit_code, 3) << bad_key.out;
  EXPECT_NE(bad_key.err.find("HTTP 403 InvalidAccessKeyId"), std::string::npos) << bad_key.err;
  EXPECT_NE(bad_key.err.find("authentication failed: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            std::string::npos)
      << bad_key.err;
  EXPECT_EQ((bad_key.out + bad_key.err).find("not-the-secret"), std::string::npos);

  Outcome missing = RunBakeoff({"results", "fetch", "s3://bakeoff-results/runs/nope", fetched + "2"}, Env());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("no result at s3://bakeoff-results/runs/nope"), std::string::npos)
      << missing.err;
}

// No keys in the environment: the shared credentials file (AWS_SHARED_CREDENTIALS_FILE), its [default]
// profile for the upload and listing, and an AWS_PROFILE with the wrong secret.
TEST_F(ResultsS3Test, SharedCredentialsFile) {
  const std::string credentials = root_ + "/credentials";
  std::ofstream(credentials) << "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n"
                                "[stale]\naws_access_key_id = S3RVER\naws_secret_access_key = stale-secret\n";
  const std::vector<std::string> env = {"AWS_SHARED_CREDENTIALS_FILE=" + credentials, "AWS_REGION=us-east-1",
                                        "BAKEOFF_RESULTS_DIR=" + root_ + "/local"};
  Outcome run = RunBakeoff({"run", RunSpec(), "--quiet"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const size_t at = run.out.find("uploaded: s3://bakeoff-results/runs/");
  ASSERT_NE(at, std::string::npos) << run.out << run.err;
  const std::string url = run.out.substr(at + 10, run.out.find("/ (", at) - at - 10);

  std::vector<std::string> list_env = env;
  list_env.push_back("AWS_ENDPOINT_URL=" + Endpoint());
  Outcome list = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"}, list_env);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, url + "\n");

  list_env.push_back("AWS_PROFILE=stale");
  Outcome stale = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"}, list_env);
  EXPECT_EQ(stale.exit_code, 3) << stale.out;
  EXPECT_NE(stale.err.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << stale.err;
  EXPECT_NE(stale.err.find("authentication failed: check aws_access_key_id and aws_secret_access_key in " +
                           credentials + " [stale]"),
            std::string::npos)
      << stale.err;
  EXPECT_EQ((stale.out + stale.err).find("stale-secret"), std::string::npos) << "secrets are never printed";

  list_env.back() = "AWS_PROFILE=absent";
  Outcome absent = RunBakeoff({"results", "list", "--store", "s3://bakeoff-results/runs"}, list_env);
  EXPECT_EQ(absent.exit_code, 3);
  EXPECT_NE(absent.err.find("AWS_PROFILE names profile [absent], which " + credentials + " does not have"),
            std::string::npos)
      << absent.err;
}

TEST(ResultsS3SpecTest, EndpointNeedsAnS3OutputDir) {
  const std::string file = WriteFile("s3-bad.yaml",
                                     "name: s3-bad\nsystems:\n  - name: mem\n    driver: memory\n"
                                     "output:\n  dir: results\n  endpoint: http://127.0.0.1:1\n");
  Outcome o = RunBakeoff({"validate", file});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.err.find("s3-bad.yaml:7:13: "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("applies only to an s3://bucket/prefix output dir"), std::string::npos) << o.err;
}

}  // namespace
