// The redis-streams driver through the real runner against a real redis-server started by the `local`
// provider: fan-out groups, trimming, error replies, a max-rate search. Exact delivery, a killed server and a
// dead endpoint are the conformance suite's (src/drivers/conformance_test.cc).
#include "drivers/redis/redis_driver.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "drivers/redis/redis_connection.h"
#include "drivers/testing/local_system_run.h"
#include "env/provider.h"
#include "measure/clock.h"
#include "workload/runner.h"
#include "workload/testing/delivery_checks.h"

namespace bakeoff {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A real redis server through the local provider, driven by the real runner.
struct RedisRun : testing::LocalSystemRun {
  RedisRun() : LocalSystemRun(GetRedisStreamsDriver(), "redis") {}
};

// Persistence is read back from the server: the local default (AOF off) says off, `appendonly yes`
// with `appendfsync always` in the environment's config says so, and the guarantee row follows.
TEST(RedisStreamsTest, FactsReadPersistenceBackFromTheServer) {
  {
    RedisRun off;
    Status up = off.Connect();
    ASSERT_TRUE(up.ok()) << up.ToString();
    const std::map<std::string, std::string> facts = off.session->Facts();
    EXPECT_EQ(facts.at("server_appendonly"), "no");
    EXPECT_NE(facts.at("delivery_guarantee").find("AOF off"), std::string::npos)
        << facts.at("delivery_guarantee");
  }
  RedisRun on;
  on.system.environment.options.Set(
      "config", std::map<std::string, std::string>{{"appendonly", "yes"}, {"appendfsync", "always"}});
  Status up = on.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  const std::map<std::string, std::string> facts = on.session->Facts();
  EXPECT_EQ(facts.at("server_appendonly"), "yes");
  EXPECT_EQ(facts.at("server_appendfsync"), "always");
  EXPECT_NE(facts.at("delivery_guarantee").find("AOF fsync always"), std::string::npos)
      << facts.at("delivery_guarantee");
}

TEST(RedisGuaranteeTest, NamesTheFsyncPolicy) {
  EXPECT_NE(RedisGuarantee("no", "everysec").find("AOF off"), std::string::npos);
  EXPECT_NE(RedisGuarantee("yes", "everysec").find("fsync everysec"), std::string::npos);
  EXPECT_NE(RedisGuarantee("yes", "no").find("left to the OS"), std::string::npos);
  EXPECT_NE(RedisGuarantee("", "").find("unknown"), std::string::npos);
}

// Fan-out: a consumer group per subscription on every stream; each group receives every entry once.
TEST(RedisStreamsTest, ThreeSubscriptionsAreThreeGroupsThatEachReceiveEverything) {
  RedisRun run;
  run.workload.topics = 2;
  run.workload.partitions = 2;
  run.workload.producers = 2;
  run.workload.subscriptions = 3;
  run.workload.consumers = 2;
  run.workload.messages = 30'000;
  run.workload.rate.msgs_per_s = 20'000;
  run.workload.duration_ns = 10'000'000'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  testing::ExpectFanoutExactlyOnceInOrder(*m, 30'000u, 3);
  const std::map<std::string, std::string> facts = run.session->Facts();
  EXPECT_EQ(facts.at("server_version").rfind("redis ", 0), 0u);
  EXPECT_EQ(facts.at("client"), "hiredis 0.14.1");
  // On the server: three groups on each stream, one per subscription.
  Result<redis::ConnectionConfig> config =
      redis::MakeConnectionConfig(run.system.options, run.endpoints.at("url"));
  ASSERT_TRUE(config.ok());
  Result<redis::ContextPtr> c = redis::Connect(*config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<redis::ReplyPtr> groups = redis::Command(c->get(), {"XINFO", "GROUPS", "bakeoff-t1:1"});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ((*groups)->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ((*groups)->elements, 3u);
  Result<redis::ReplyPtr> length = redis::Command(c->get(), {"XLEN", "bakeoff-t1:1"});
  ASSERT_TRUE(length.ok());
  EXPECT_GT((*length)->integer, 0);
  std::set<std::string> suffixes;
  for (size_t g = 0; g < (*groups)->elements; ++g) {
    const redisReply* group = (*groups)->element[g];
    for (size_t f = 0; f + 1 < group->elements; f += 2) {
      const std::string field = group->element[f]->str;
      if (field == "name") {
        const std::string name = group->element[f + 1]->str;
        suffixes.insert(name.substr(name.size() - 3));
      }
      // Redis 7: how many of the stream's entries the group has read; each group read all of them.
      if (field == "entries-read") {
        EXPECT_EQ(group->element[f + 1]->integer, (*length)->integer) << "group " << g;
      }
    }
  }
  EXPECT_EQ(suffixes, (std::set<std::string>{"-s0", "-s1", "-s2"}));
}

TEST(RedisStreamsTest, MaxRateWithMaxlenTrimsTheStream) {
  RedisRun run;
  run.workload.rate.max = true;
  run.workload.messages = 200'000;
  run.workload.consumers = 0;  // nobody reads while the stream is trimmed...
  run.system.options.Set("maxlen", int64_t{1000});
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->accounting.acked, 200'000u);
  // ...so the stream holds about maxlen entries (MAXLEN ~ trims whole nodes, never below maxlen).
  Result<redis::ConnectionConfig> config =
      redis::MakeConnectionConfig(run.system.options, run.endpoints.at("url"));
  ASSERT_TRUE(config.ok());
  Result<redis::ContextPtr> c = redis::Connect(*config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Result<redis::ReplyPtr> len = redis::Command(c->get(), {"XLEN", "bakeoff-t0:0"});
  ASSERT_TRUE(len.ok());
  EXPECT_GE((*len)->integer, 1000);
  EXPECT_LT((*len)->integer, 5000);
}

// An error reply fails its own message only: with one of two streams replaced by a plain string key,
// every XADD to it gets WRONGTYPE and is counted as a failed send, the rest of the pipeline is acked.
TEST(RedisStreamsTest, ErrorRepliesFailOnlyTheirOwnMessages) {
  RedisRun run;
  run.workload.partitions = 2;
  run.workload.consumers = 0;
  run.workload.rate.max = true;
  run.workload.messages = 20'000;
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<redis::ConnectionConfig> config =
      redis::MakeConnectionConfig(run.system.options, run.endpoints.at("url"));
  ASSERT_TRUE(config.ok());
  Result<redis::ContextPtr> c = redis::Connect(*config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(redis::Command(c->get(), {"DEL", "bakeoff-t0:1"}).ok());
  ASSERT_TRUE(redis::Command(c->get(), {"SET", "bakeoff-t0:1", "not a stream"}).ok());
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  uint64_t failed = 0;
  for (const auto& [message, count] : m->errors.described()) {
    EXPECT_NE(message.find("WRONGTYPE"), std::string::npos) << message;
    failed += count;
  }
  EXPECT_EQ(m->accounting.sent, 20'000u);
  EXPECT_GT(failed, 5'000u);
  EXPECT_GT(m->accounting.acked, 5'000u);
  EXPECT_EQ(m->accounting.acked + failed, m->accounting.sent);
  Result<redis::ReplyPtr> len = redis::Command(c->get(), {"XLEN", "bakeoff-t0:0"});
  ASSERT_TRUE(len.ok());
  EXPECT_EQ(static_cast<uint64_t>((*len)->integer), m->accounting.acked);
}

// A max-rate search against a real server: it ends by itself, within its bounds, with every step
// recorded and every message delivered exactly once.
TEST(RedisStreamsTest, FindMaxEndsWithEveryStepRecorded) {
  RedisRun run;
  run.workload.partitions = 2;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  FindMaxSpec spec;
  spec.p99_e2e_bound_ns = 20'000'000;
  spec.objective_text = "e2e_latency.corrected.p99 < 20ms";
  spec.start_msgs_per_s = 20'000;
  spec.step_duration_ns = 1'000'000'000;
  spec.within = 0.10;
  spec.max_steps = 8;
  run.workload.rate.find_max = spec;
  run.workload.rate.msgs_per_s = spec.start_msgs_per_s;
  run.workload.duration_ns = spec.MaxLoadNs();
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  const auto start = Clock::now();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_LT(Clock::now() - start, 8 * (1s + 5s) + 15s);  // max_steps x (step + settle bound) + drain
  ASSERT_TRUE(m->find_max.has_value());
  const FindMaxOutcome& f = *m->find_max;
  for (const StepMetrics& s : m->steps) {
    std::printf("  step %.0f/s: sent %.0f/s received %.0f/s p99 %.2f ms backlog %+ld %s %s\n", s.rate_target,
                s.sent_per_s, s.received_per_s, s.e2e.ValueAtPercentile(99) / 1e6, s.backlog_growth,
                s.met ? "met" : "failed:", s.why.c_str());
  }
  std::printf("  redis max sustainable rate: %.0f msg/s after %d steps (%s)\n", f.found_rate, f.steps,
              f.ended.c_str());
  EXPECT_FALSE(f.ended.empty());
  EXPECT_EQ(f.steps, static_cast<int>(m->steps.size()));
  EXPECT_GE(f.steps, 2);
  EXPECT_LE(f.steps, 8);
  for (const StepMetrics& s : m->steps) {
    EXPECT_GT(s.rate_target, 0);
    EXPECT_GT(s.sent, 0u);
    EXPECT_GT(s.e2e.total_count(), 0u);
    EXPECT_EQ(s.met, s.why.empty()) << s.why;
  }
  EXPECT_EQ(m->accounting.lost, 0u);
  EXPECT_EQ(m->accounting.duplicated, 0u);
  EXPECT_EQ(m->accounting.out_of_order, 0u);
}

// A backlog of 200k messages in real streams: consumers paused (no XREADGROUP) while it builds, then
// resumed; the drain's figures are measured.
TEST(RedisStreamsTest, BacklogOf200kBuildsThenDrains) {
  RedisRun run;
  run.workload.partitions = 2;
  run.workload.producers = 2;
  run.workload.consumers = 2;
  run.workload.rate.msgs_per_s = 50'000;
  run.workload.duration_ns = 2'000'000'000;
  run.workload.backlog = BacklogSpec{.messages = 200'000, .drain_ratio = 1.0, .max_drain_ns = 60'000'000'000};
  Status up = run.Connect();
  ASSERT_TRUE(up.ok()) << up.ToString();
  Result<RunMetrics> m = run.Run();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->accounting.received, m->accounting.sent);
  EXPECT_EQ(m->accounting.lost, 0u);
  EXPECT_EQ(m->accounting.duplicated, 0u);
  EXPECT_EQ(m->accounting.out_of_order, 0u);
  EXPECT_EQ(m->stop_reason(), "completed");
  ASSERT_TRUE(m->backlog.has_value());
  const BacklogMetrics& b = *m->backlog;
  std::printf(
      "  redis backlog %lu messages built in %.2f s, drained in %.2f s at %.0f msg/s (producers %.0f msg/s); "
      "e2e p99 during %.1f ms, after %.2f ms\n",
      b.messages, b.build_s, b.drain_s, b.drain_read_per_s, b.producer_rate_during_drain,
      b.e2e_during_drain.ValueAtPercentile(99) / 1e6, b.e2e_after_drain.ValueAtPercentile(99) / 1e6);
  EXPECT_GE(b.messages, 200'000u);
  EXPECT_NEAR(b.build_s, 4.0, 1.0);  // 200k at 50k/s
  EXPECT_TRUE(b.drained);
  EXPECT_GT(b.drain_s, 0);
  EXPECT_GT(b.drain_read_per_s, b.producer_rate_during_drain);
  EXPECT_GE(b.e2e_during_drain.ValueAtPercentile(99), 1'000'000'000);
  EXPECT_GT(b.e2e_after_drain.total_count(), 0u);
  EXPECT_LT(b.e2e_after_drain.ValueAtPercentile(50), b.e2e_during_drain.ValueAtPercentile(50));
}

TEST(RedisConnectionTest, ParsesUrlsAndResolvesSecretPasswords) {
  redis::ConnectionConfig c;
  ASSERT_TRUE(redis::ParseRedisUrl("redis://u:p@10.0.0.1:7000/0", c).ok());
  EXPECT_EQ(c.host, "10.0.0.1");
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.username, "u");
  EXPECT_EQ(c.password, "p");
  EXPECT_FALSE(redis::ParseRedisUrl("redis://h:99999", c).ok());
  EXPECT_FALSE(redis::ParseRedisUrl("http://h:1", c).ok());
  EXPECT_FALSE(redis::ParseRedisUrl("redis://h:1/3", c).ok());

  OptionValues options;
  ApplyDefaults(GetRedisStreamsDriver()->schema(), options);
  options.Set("password", std::string("${env:BAKEOFF_REDIS_TEST_SECRET}"));
  ::setenv("BAKEOFF_REDIS_TEST_SECRET", "s3cret", 1);
  Result<redis::ConnectionConfig> config = redis::MakeConnectionConfig(options, "redis://127.0.0.1:1");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->password, "s3cret");
  ::unsetenv("BAKEOFF_REDIS_TEST_SECRET");
  EXPECT_FALSE(redis::MakeConnectionConfig(options, "redis://127.0.0.1:1").ok());
}

}  // namespace
}  // namespace bakeoff
