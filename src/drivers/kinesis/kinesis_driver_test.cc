// The kinesis driver against kinesalite started through the local provider (a real Kinesis API server),
// driven by the real workload runner: exact delivery at a fixed rate, and a server killed mid-run.
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

std::string Errors(const RunMetrics& m) {
  std::string text;
  for (const auto& [what, count] : m.errors.described())
    text += "  " + what + " x" + std::to_string(count) + "\n";
  return text;
}

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

// 100,000 messages at a fixed rate through the real runner: all acked, received exactly once, in order.
TEST(KinesisDriverTest, HundredThousandAtFixedRateExactlyOnceInOrder) {
  Kinesalite server;
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  KinesisRun run;
  run.workload.partitions = 4;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 2'000;
  run.workload.messages = 100'000;
  run.workload.duration_ns = 600'000'000'000;  // the message cap ends the run
  run.workload.drain_timeout_ns = 60'000'000'000;
  const auto start = Clock::now();
  Result<RunMetrics> m = run.Run(server.endpoints, "exact");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectExactlyOnceInOrder(*m, 100'000u);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "kinesalite: %llu messages in %.1f s; sent %.0f msg/s, received %.0f msg/s; e2e p50 %.1f ms, "
      "p99 %.1f ms; publish p99 %.1f ms\n",
      static_cast<unsigned long long>(m->accounting.received), seconds, m->sent_msgs_per_s(),
      m->received_msgs_per_s(), m->e2e.corrected.ValueAtPercentile(50) / 1e6,
      m->e2e.corrected.ValueAtPercentile(99) / 1e6, m->publish.corrected.ValueAtPercentile(99) / 1e6);
  EXPECT_TRUE(run.session->DeleteTopics().ok());
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

// The server dies mid-run: the run still ends within its deadline, with the failures counted.
TEST(KinesisDriverTest, ServerKilledMidRunEndsInTimeWithErrorsCounted) {
  Kinesalite server;
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  if (!server.env) GTEST_SKIP() << "needs a server this test owns (the local provider)";
  KinesisRun run;
  run.workload.partitions = 2;
  run.workload.rate.msgs_per_s = 1'000;
  run.workload.duration_ns = 6'000'000'000;
  run.workload.drain_timeout_ns = 10'000'000'000;
  run.system.options.Set("request_timeout", int64_t{2'000'000'000});
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(3s);
    EXPECT_TRUE(server.env->Destroy().ok());
    killed = true;
  });
  const auto start = Clock::now();
  Result<RunMetrics> m = run.Run(server.endpoints, "killed");
  const auto elapsed = Clock::now() - start;
  killer.join();
  ASSERT_TRUE(killed.load());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // measure window 6 s + send deadline slack 5 s + flush 10 s + drain 10 s, plus request timeouts.
  EXPECT_LT(elapsed, 45s);
  const AccountingTotals& a = m->accounting;
  EXPECT_GT(a.acked, 500u) << "the first seconds went through";
  EXPECT_LT(a.acked, a.sent) << Errors(*m);
  EXPECT_FALSE(m->errors.empty());
  EXPECT_GT(a.send_errors + a.lost, 0u);
  EXPECT_NE(m->stop_reason(), "completed");
  std::printf("after the kill: sent %llu, acked %llu, send errors %llu, lost %llu, stop: %s\n%s",
              static_cast<unsigned long long>(a.sent), static_cast<unsigned long long>(a.acked),
              static_cast<unsigned long long>(a.send_errors), static_cast<unsigned long long>(a.lost),
              m->stop_reason().c_str(), Errors(*m).c_str());
  run.session.reset();
}

}  // namespace
}  // namespace bakeoff
