// Throughput check of the kafka driver on the embedded mock cluster (3 brokers): one producer thread
// and one consumer thread, concurrently, over one topic of 6 partitions. Not a unit test.
//
//   kafka_embedded_throughput [messages=5000000] [message_bytes=100] [window=35000] [linger_ms=5]
//                             [fetch_max_wait_ms=driver default]
//
// The mock keeps only ~5 MiB per partition, so the producer stays at most `window` messages per
// partition ahead of the consumer (otherwise the mock drops data that was not read yet).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "drivers/kafka/kafka_driver.h"
#include "env/embedded/embedded_provider.h"
#include "measure/clock.h"
#include "measure/message_header.h"

namespace bakeoff {
namespace {

using namespace std::chrono_literals;

constexpr int kPartitions = 6;

struct Acks final : CompletionSink {
  void OnAcked(std::span<const SendTicket> tickets) override {
    acked += static_cast<int64_t>(tickets.size());
  }
  void OnFailed(const SendTicket&, const Status& why) override {
    if (failed++ == 0) std::fprintf(stderr, "first failure: %s\n", why.ToString().c_str());
  }
  int64_t acked = 0;
  int64_t failed = 0;
};

struct Checker final : ReceiveSink {
  std::vector<uint64_t> next_seq = std::vector<uint64_t>(kPartitions, 0);
  std::atomic<int64_t> received{0};
  std::vector<std::atomic<int64_t>> received_per_stream = std::vector<std::atomic<int64_t>>(kPartitions);
  int64_t gaps = 0;
  int64_t backwards = 0;
  int64_t last_ns = 0;
  void OnReceived(std::span<const InMessage> batch) override {
    for (const InMessage& m : batch) {
      std::optional<MessageHeader> h = DecodeHeader(m.payload);
      if (!h) continue;
      uint64_t& next = next_seq[m.stream];
      if (h->seq > next) ++gaps;
      if (h->seq < next) ++backwards;
      next = h->seq + 1;
      received_per_stream[m.stream].store(static_cast<int64_t>(next), std::memory_order_relaxed);
    }
    last_ns = MonotonicNowNs();
    received.fetch_add(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
  }
};

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  return 1;
}

int Main(int argc, char** argv) {
  const int64_t messages = argc > 1 ? std::atoll(argv[1]) : 5'000'000;
  const size_t message_bytes = argc > 2 ? std::max<size_t>(kHeaderBytes, std::atoll(argv[2])) : 100;
  const int64_t window = argc > 3 ? std::atoll(argv[3]) : 35'000;
  const int64_t linger_ms = argc > 4 ? std::atoll(argv[4]) : 5;

  SystemSpec system;
  system.name = "embedded-kafka";
  system.driver = "kafka";
  ApplyDefaults(GetEmbeddedProvider()->schema(), system.environment.options);
  system.options.Set("linger_ms", linger_ms);
  if (argc > 5) system.options.Set("fetch_max_wait_ms", int64_t{std::atoll(argv[5])});
  ApplyDefaults(GetKafkaDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.partitions = kPartitions;
  Result<std::unique_ptr<Environment>> env = GetEmbeddedProvider()->Create(system);
  if (!env.ok()) return Fail(env.status());
  if (Status s = (*env)->Apply(30s); !s.ok()) return Fail(s);
  TopicLayout layout{.topics = {"throughput"}, .partitions = kPartitions, .replication_factor = 1};
  if (Status s = (*env)->PrepareTopics(layout); !s.ok()) return Fail(s);
  SessionContext context{
      .system = &system, .workload = &workload, .endpoints = (*env)->endpoints(), .run_id = "throughput"};
  Result<std::unique_ptr<Session>> session = GetKafkaDriver()->Connect(context);
  if (!session.ok()) return Fail(session.status());
  if (Status s = (*session)->CreateTopics(layout); !s.ok()) return Fail(s);

  Checker checker;
  std::atomic<bool> stop{false};
  Result<std::unique_ptr<Consumer>> consumer = (*session)->NewConsumer(ConsumerSpec{});
  if (!consumer.ok()) return Fail(consumer.status());
  std::atomic<bool> ready{false};
  std::thread consumer_thread([&] {
    while (!stop) {
      if (Status s = (*consumer)->Poll(10ms, checker); !s.ok())
        std::fprintf(stderr, "poll: %s\n", s.ToString().c_str());
      if (!ready && (*consumer)->Ready()) ready = true;
    }
    (void)(*consumer)->Close();
  });
  while (!ready) std::this_thread::sleep_for(1ms);

  Acks acks;
  Result<std::unique_ptr<Producer>> producer = (*session)->NewProducer(0, acks);
  if (!producer.ok()) return Fail(producer.status());
  std::vector<std::byte> payload(message_bytes, std::byte{0x5a});
  std::vector<uint64_t> seq(kPartitions, 0);
  const int64_t start_ns = MonotonicNowNs();
  for (int64_t i = 0; i < messages; ++i) {
    OutMessage m;
    m.stream = static_cast<uint32_t>(i % kPartitions);
    while (static_cast<int64_t>(seq[m.stream]) -
               checker.received_per_stream[m.stream].load(std::memory_order_relaxed) >
           window) {
      (*producer)->Poll(1ms);
    }
    const int64_t now = MonotonicNowNs();
    EncodeHeader({.producer_id = 0, .seq = seq[m.stream]++, .intended_ns = now, .sent_ns = now},
                 payload.data());
    m.payload = payload;
    Status s = (*producer)->Send(m);
    while (s.code() == StatusCode::kQueueFull) {
      (*producer)->Poll(1ms);
      s = (*producer)->Send(m);
    }
    if (!s.ok()) return Fail(s);
    if ((i & 1023) == 0) (*producer)->Poll(0ns);
  }
  if (Status s = (*producer)->Flush(60s); !s.ok()) return Fail(s);
  const int64_t acked_ns = MonotonicNowNs();
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (checker.received < messages && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  stop = true;
  consumer_thread.join();

  const double produce_s = (acked_ns - start_ns) / 1e9;
  const double e2e_s = (checker.last_ns - start_ns) / 1e9;
  std::printf("messages=%lld bytes=%zu partitions=%d brokers=3 linger_ms=%lld window=%lld\n",
              static_cast<long long>(messages), message_bytes, kPartitions, static_cast<long long>(linger_ms),
              static_cast<long long>(window));
  std::printf("produced+acked: %lld in %.3f s = %.0f msg/s (failed %lld)\n",
              static_cast<long long>(acks.acked), produce_s, acks.acked / produce_s,
              static_cast<long long>(acks.failed));
  std::printf("consumed:       %lld in %.3f s = %.0f msg/s (gaps %lld, backwards %lld)\n",
              static_cast<long long>(checker.received.load()), e2e_s, checker.received / e2e_s,
              static_cast<long long>(checker.gaps), static_cast<long long>(checker.backwards));
  producer->reset();
  consumer->reset();
  session->reset();
  (void)(*env)->Destroy();
  return checker.received == messages && acks.acked == messages && checker.gaps == 0 ? 0 : 2;
}

}  // namespace
}  // namespace bakeoff

int main(int argc, char** argv) {
  return bakeoff::Main(argc, argv);
}
