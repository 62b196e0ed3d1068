// The "nats" (core) driver against real nats-server processes, through the real workload runner:
// fan-out, and loss shown (not hidden) at overload. Exact delivery at a modest rate, a killed server and a
// dead endpoint are the conformance suite's (src/drivers/conformance_test.cc).
#include <gtest/gtest.h>

#include <cstdlib>

#include "drivers/nats/nats_common.h"
#include "drivers/nats/nats_driver.h"
#include "drivers/nats/nats_test_env.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;
using nats_test::RunOnce;
using nats_test::StartNatsServers;

WorkloadSpec Workload(double rate, int64_t messages) {
  return nats_test::CappedWorkload(1, 4, rate, messages, 5s);
}

// Fan-out on core NATS: every subscription's consumers subscribe to their share of the subjects, and the
// server delivers each message to every subscriber.
TEST(NatsCoreTest, ThreeSubscriptionsEachReceiveEveryMessage) {
  auto servers = StartNatsServers(1, false);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  WorkloadSpec w = Workload(10'000, 20'000);
  w.subscriptions = 3;
  w.consumers = 2;
  const auto out = RunOnce(**servers, "nats", {}, w);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  testing::ExpectFanoutExactlyOnceInOrder(out.metrics, 20'000u, 3);
  EXPECT_EQ(out.facts.at("client_dropped_msgs"), "0");
  EXPECT_FALSE(out.facts.at("server_version").empty());
  EXPECT_EQ(out.facts.at("client").rfind("cnats 3.", 0), 0u) << out.facts.at("client");
  EXPECT_TRUE((*servers)->Destroy().ok());
}

// Closed loop with tiny subscriber pending limits: the consumer cannot keep up and cnats drops. The
// loss must show in the accounting and the slow-consumer reports, never be hidden.
TEST(NatsCoreTest, OverloadShowsLossInTheAccounting) {
  auto servers = StartNatsServers(1, false);
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  WorkloadSpec w = Workload(0, 2'000'000);
  w.rate.max = true;
  // The runner's closed-loop backlog bound would count the lost messages as backlog forever and
  // pause the producer; this test wants the overload.
  w.max_backlog = 0;
  w.duration_ns = 20'000'000'000;
  w.partitions = 1;
  w.producers = 1;
  w.consumers = 1;
  w.drain_timeout_ns = 2'000'000'000;
  OptionValues options;
  options.Set("pending_msgs_limit", int64_t{64});
  options.Set("poll_batch", int64_t{16});
  const auto out = RunOnce(**servers, "nats", options, w);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  const AccountingTotals& a = out.metrics.accounting;
  EXPECT_EQ(a.sent, 2'000'000u);
  EXPECT_GT(a.lost, 0u);
  EXPECT_EQ(a.lost + a.received - a.duplicated, a.sent);
  EXPECT_EQ(a.duplicated, 0u);
  EXPECT_GT(std::stoll(out.facts.at("client_dropped_msgs")), 0);
  EXPECT_LE(static_cast<uint64_t>(std::stoll(out.facts.at("client_dropped_msgs"))), a.lost);
  bool reported = false;
  for (const auto& [message, count] : out.metrics.errors.described())
    reported |= message.find("slow consumer") != std::string::npos;
  EXPECT_TRUE(reported) << "slow consumer not reported among the run's errors";
  EXPECT_NE(out.metrics.stop_reason(), "completed (message cap)");
}

TEST(NatsOptionsTest, NamesAndUrls) {
  using namespace nats_internal;
  EXPECT_EQ(SubjectFor("bakeoff-x.y *>", 3), "bakeoff-x_y___.3");
  EXPECT_EQ(SafeName("bakeoff-run.1/a"), "bakeoff-run_1_a");
  NatsConnectionSettings options;
  Result<std::vector<std::string>> urls =
      ServerUrls(options, {{"url", "nats://127.0.0.1:1, nats://127.0.0.1:2"}});
  ASSERT_TRUE(urls.ok());
  EXPECT_EQ(*urls, (std::vector<std::string>{"nats://127.0.0.1:1", "nats://127.0.0.1:2"}));
  options.url = "nats://10.0.0.1:4222";
  EXPECT_EQ(ServerUrls(options, {{"url", "nats://127.0.0.1:1"}})->front(), "nats://10.0.0.1:4222");
  EXPECT_EQ(ServerUrls({}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OwnedStreams(1, 3, 8), (std::vector<uint32_t>{1, 4, 7}));
  const OptionSpec* password = GetNatsDriver()->schema().Find("password");
  ASSERT_NE(password, nullptr);
  EXPECT_TRUE(password->secret);
  for (const OptionSpec& spec : GetNatsJetStreamDriver()->schema().options)
    EXPECT_FALSE(spec.help.empty()) << spec.name;
}

TEST(NatsOptionsTest, UnsetSecretReferenceIsNamedNotConnected) {
  unsetenv("BAKEOFF_TEST_NATS_UNSET");
  OptionValues options;
  options.Set("user", std::string("u"));
  options.Set("password", std::string("${env:BAKEOFF_TEST_NATS_UNSET}"));
  Result<NatsCoreSettings> settings = NatsCoreOptions().Bind(options);
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  Result<nats_internal::Connection> c =
      nats_internal::Connect(*settings, {{"url", "nats://127.0.0.1:1"}}, "t");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("BAKEOFF_TEST_NATS_UNSET"), std::string::npos) << c.status().ToString();
}

}  // namespace
}  // namespace bakeoff
