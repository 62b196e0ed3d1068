// The memory driver's consumer blocks on a doorbell when its rings are empty: these tests check that a
// producer's push always wakes it (no lost wake-up) and that an idle consumer still returns by its
// max_wait.
#include "drivers/memory/memory_driver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "drivers/driver.h"
#include "measure/clock.h"
#include "spec/option_schema.h"

namespace bakeoff {
namespace {

class NullCompletions final : public CompletionSink {
 public:
  void OnAcked(std::span<const SendTicket> tickets) override { acked += tickets.size(); }
  void OnFailed(const SendTicket&, const Status&) override { ++failed; }
  uint64_t acked = 0;
  uint64_t failed = 0;
};

class CountingSink final : public ReceiveSink {
 public:
  void OnReceived(std::span<const InMessage> batch) override {
    received.fetch_add(batch.size(), std::memory_order_release);
  }
  std::atomic<uint64_t> received{0};
};

struct MemorySessionFixture {
  SystemSpec system;
  WorkloadSpec workload;
  std::unique_ptr<Session> session;
  explicit MemorySessionFixture(int partitions) {
    system.name = "mem";
    system.driver = "memory";
    ApplyDefaults(GetMemoryDriver()->schema(), system.options);
    workload.partitions = partitions;
    workload.message_size.fixed_bytes = 64;
    SessionContext context{.system = &system, .workload = &workload, .run_id = "doorbell"};
    Result<std::unique_ptr<Session>> connected = GetMemoryDriver()->Connect(context);
    EXPECT_TRUE(connected.ok());
    session = std::move(connected).value();
    TopicLayout layout{.topics = {"t0"}, .partitions = partitions};
    EXPECT_TRUE(session->CreateTopics(layout).ok());
  }
};

// Ping-pong: the producer sends one message (and polls, as the runner does between paced sends) and
// waits until the consumer has it, 2,000 times, while the consumer polls with a 10 s max_wait. A lost
// wake-up would leave that message waiting the full 10 s.
TEST(MemoryDriverTest, EveryPushWakesABlockedConsumer) {
  MemorySessionFixture f(/*partitions=*/3);
  NullCompletions completions;
  auto producer = f.session->NewProducer(0, completions);
  ASSERT_TRUE(producer.ok());
  auto consumer = f.session->NewConsumer(ConsumerSpec{});
  ASSERT_TRUE(consumer.ok());

  CountingSink sink;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) ASSERT_TRUE((*consumer)->Poll(std::chrono::seconds(10), sink).ok());
  });
  std::vector<std::byte> payload(64);
  constexpr int kMessages = 2'000;
  for (int i = 0; i < kMessages; ++i) {
    OutMessage m;
    m.stream = static_cast<uint32_t>(i % 3);
    m.payload = payload;
    m.ticket.seq = static_cast<uint64_t>(i);
    // Let the consumer fall asleep first now and then, so both orders of the race are exercised.
    if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const int64_t sent = MonotonicNowNs();
    ASSERT_TRUE((*producer)->Send(m).ok());
    (*producer)->Poll(std::chrono::nanoseconds(0));  // as the runner does between paced sends
    // Far below the 10 s a lost wake-up costs, even on a loaded machine.
    const int64_t give_up = sent + 5'000'000'000;
    while (sink.received.load(std::memory_order_acquire) < static_cast<uint64_t>(i + 1)) {
      ASSERT_LT(MonotonicNowNs(), give_up) << "message " << i << " waited for the consumer's timeout";
      std::this_thread::yield();
    }
  }
  // Wake the reader one last time so it sees `stop`.
  stop.store(true);
  OutMessage last;
  last.payload = payload;
  ASSERT_TRUE((*producer)->Send(last).ok());
  ASSERT_TRUE((*producer)->Flush(std::chrono::seconds(1)).ok());
  reader.join();
  EXPECT_EQ(sink.received.load(), static_cast<uint64_t>(kMessages + 1));
}

TEST(MemoryDriverTest, IdleConsumerReturnsByItsMaxWait) {
  MemorySessionFixture f(/*partitions=*/1);
  NullCompletions completions;
  auto producer = f.session->NewProducer(0, completions);
  ASSERT_TRUE(producer.ok());
  auto consumer = f.session->NewConsumer(ConsumerSpec{});
  ASSERT_TRUE(consumer.ok());
  CountingSink sink;
  const int64_t start = MonotonicNowNs();
  ASSERT_TRUE((*consumer)->Poll(std::chrono::milliseconds(50), sink).ok());
  const int64_t waited = MonotonicNowNs() - start;
  EXPECT_GE(waited, 50'000'000);
  EXPECT_LT(waited, 5'000'000'000);
  EXPECT_EQ(sink.received.load(), 0u);
}

}  // namespace
}  // namespace bakeoff
