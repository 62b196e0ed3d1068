// The kinesis driver against kinesalite started through the local provider (a real Kinesis API server),
// driven by the real workload runner: configuration and fan-out. Exact delivery at a fixed rate, a killed
// server and a dead endpoint are the conformance suite's (src/drivers/conformance_test.cc).
// BAKEOFF_KINESIS_URL=http://127.0.0.1:PORT runs the same tests against a server started elsewhere.
#include "drivers/kinesis/kinesis_driver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "drivers/kinesis/kinesis_config.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"
#ifdef BAKEOFF_TEST_WITH_LOCAL_PROVIDER
#include "env/local/local_provider.h"
#endif

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A kinesalite for one test: through the local provider, or BAKEOFF_KINESIS_URL.
struct Kinesalite {
  std::unique_ptr<Environment> env;
  Endpoints endpoints;
  std::string skip_reason;

  Kinesalite() {
    if (const char* url = std::getenv("BAKEOFF_KINESIS_URL")) {
      endpoints = {{"url", url}, {"region", "us-east-1"}};
      return;
    }
#ifdef BAKEOFF_TEST_WITH_LOCAL_PROVIDER
    SystemSpec system;
    system.name = "kinesis";
    system.driver = "kinesis";
    system.environment.provider = "local";
    ApplyDefaults(GetLocalProvider()->schema(), system.environment.options);
    Result<std::unique_ptr<Environment>> created = GetLocalProvider()->Create(system);
    if (!created.ok()) {
      skip_reason = created.status().ToString();
      return;
    }
    env = std::move(created).value();
    const Status applied = env->Apply(60s);
    if (!applied.ok()) {
      skip_reason = "kinesalite did not start: " + applied.ToString();
      (void)env->Destroy();
      env.reset();
      return;
    }
    endpoints = env->endpoints();
#else
    skip_reason = "no local provider in this build and BAKEOFF_KINESIS_URL unset";
#endif
  }
  ~Kinesalite() {
    if (env) {
      EXPECT_TRUE(env->Destroy().ok());
    }
  }
};

struct KinesisRun {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;

  KinesisRun() {
    system.name = "kinesis";
    system.driver = "kinesis";
    workload.warmup_ns = 0;
    workload.message_size.fixed_bytes = 100;
  }

  Result<RunMetrics> Run(const Endpoints& endpoints, const std::string& run_id) {
    ApplyDefaults(GetKinesisDriver()->schema(), system.options);
    SessionContext ctx{.system = &system, .workload = &workload, .endpoints = endpoints, .run_id = run_id};
    Result<std::unique_ptr<Session>> connected = GetKinesisDriver()->Connect(ctx);
    if (!connected.ok()) return connected.status();
    session = std::move(connected).value();
    TopicLayout layout;
    for (int t = 0; t < workload.topics; ++t)
      layout.topics.push_back("bakeoff-" + run_id + "-" + std::to_string(t));
    layout.partitions = workload.partitions;
    BAKEOFF_RETURN_IF_ERROR(session->CreateTopics(layout));
    RunnerOptions options;
    options.system_name = "kinesis";
    options.streams = workload.streams();
    return RunWorkload(*session, workload, options);
  }
};

TEST(KinesisConfigTest, OptionsWinOverEndpointsAndLoopbackNeedsNoCredentials) {
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  OptionValues options;
  ApplyDefaults(kinesis::KinesisOptionSchema(), options);
  Result<kinesis::KinesisSettings> local =
      kinesis::BuildKinesisSettings(options, {{"url", "http://127.0.0.1:4567"}, {"region", "us-east-1"}});
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->service.url, "http://127.0.0.1:4567");
  EXPECT_TRUE(local->placeholder_credentials);

  options.Set("region", std::string("eu-west-1"));
  Result<kinesis::KinesisSettings> aws = kinesis::BuildKinesisSettings(options, {});
  EXPECT_EQ(aws.status().code(), StatusCode::kUnauthenticated) << "real AWS without credentials";

  setenv("BAKEOFF_TEST_KINESIS_SECRET", "s3cr3t", 1);
  options.Set("access_key_id", std::string("AKIDTEST"));
  options.Set("secret_access_key", std::string("${env:BAKEOFF_TEST_KINESIS_SECRET}"));
  aws = kinesis::BuildKinesisSettings(options, {});
  ASSERT_TRUE(aws.ok()) << aws.status().ToString();
  EXPECT_EQ(aws->service.url, "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_EQ(aws->service.region, "eu-west-1");
  EXPECT_EQ(aws->credentials.secret_access_key, "s3cr3t");
  EXPECT_FALSE(aws->placeholder_credentials);

  options.Set("secret_access_key", std::string("${env:BAKEOFF_TEST_UNSET_VARIABLE}"));
  EXPECT_FALSE(kinesis::BuildKinesisSettings(options, {}).ok());
}

TEST(KinesisConfigTest, StreamNamesAreValidKinesisNames) {
  EXPECT_EQ(kinesis::StreamNameFor("bakeoff-20240101T000000Z-0"), "bakeoff-20240101T000000Z-0");
  EXPECT_EQ(kinesis::StreamNameFor("a b/c:d"), "a-b-c-d");
  EXPECT_EQ(kinesis::StreamNameFor(std::string(300, 'x')).size(), 128u);
}

// Fan-out: every subscription's readers read their shards from the start on their own.
TEST(KinesisDriverTest, ThreeSubscriptionsEachReadEveryShard) {
  Kinesalite server;
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  KinesisRun run;
  run.workload.partitions = 2;
  run.workload.producers = 1;
  run.workload.subscriptions = 3;
  run.workload.consumers = 1;
  run.workload.rate.msgs_per_s = 1'000;
  run.workload.messages = 5'000;
  run.workload.duration_ns = 600'000'000'000;  // the message cap ends the run
  run.workload.drain_timeout_ns = 60'000'000'000;
  Result<RunMetrics> m = run.Run(server.endpoints, "fanout");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 5'000u, 3);
  EXPECT_TRUE(run.session->DeleteTopics().ok());
}

}  // namespace
}  // namespace bakeoff
