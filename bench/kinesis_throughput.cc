// Throughput check against a running Kinesis endpoint (not a test), through the real runner:
//   kinesis_throughput URL [messages=50000] [rate msg/s, 0 = max] [partitions=4] [producers=2] [bytes=100]
// e.g. kinesis_throughput http://127.0.0.1:4567 50000 0 4 2 100
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "drivers/kinesis/kinesis_driver.h"
#include "workload/runner.h"

int main(int argc, char** argv) {
  using namespace bakeoff;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [messages] [rate|0] [partitions] [producers] [bytes]\n", argv[0]);
    return 2;
  }
  auto arg = [&](int i, long fallback) { return argc > i ? std::atol(argv[i]) : fallback; };
  SystemSpec system{.name = "kinesis", .driver = "kinesis"};
  WorkloadSpec workload;
  workload.messages = arg(2, 50'000);
  const long rate = arg(3, 0);
  workload.rate.max = rate == 0;
  workload.rate.msgs_per_s = rate == 0 ? 1 : static_cast<double>(rate);
  workload.partitions = static_cast<int>(arg(4, 4));
  workload.producers = static_cast<int>(arg(5, 2));
  workload.consumers = workload.producers;
  workload.message_size.fixed_bytes = arg(6, 100);
  workload.duration_ns = 600'000'000'000;
  workload.drain_timeout_ns = 60'000'000'000;
  ApplyDefaults(GetKinesisDriver()->schema(), system.options);
  SessionContext ctx{
      .system = &system, .workload = &workload, .endpoints = {{"url", argv[1]}}, .run_id = "tp"};
  Result<std::unique_ptr<Session>> session = GetKinesisDriver()->Connect(ctx);
  if (!session.ok()) return std::fprintf(stderr, "%s\n", session.status().ToString().c_str()), 1;
  TopicLayout layout{.topics = {"bakeoff-throughput-" + std::to_string(time(nullptr))},
                     .partitions = workload.partitions};
  Status created = (*session)->CreateTopics(layout);
  if (!created.ok()) return std::fprintf(stderr, "%s\n", created.ToString().c_str()), 1;
  RunnerOptions options{.system_name = "kinesis", .streams = workload.streams()};
  Result<RunMetrics> m = RunWorkload(**session, workload, options);
  (void)(*session)->DeleteTopics();
  if (!m.ok()) return std::fprintf(stderr, "%s\n", m.status().ToString().c_str()), 1;
  const AccountingTotals& a = m->accounting;
  std::printf(
      "sent %llu acked %llu received %llu lost %llu dup %llu ooo %llu | %.0f msg/s sent, %.0f msg/s "
      "received | e2e p50 %.1f ms p99 %.1f ms | %s\n",
      (unsigned long long)a.sent, (unsigned long long)a.acked, (unsigned long long)a.received,
      (unsigned long long)a.lost, (unsigned long long)a.duplicated, (unsigned long long)a.out_of_order,
      m->sent_msgs_per_s(), m->received_msgs_per_s(), m->e2e.corrected.ValueAtPercentile(50) / 1e6,
      m->e2e.corrected.ValueAtPercentile(99) / 1e6, m->stop_reason().c_str());
  for (const auto& [what, count] : m->errors.described())
    std::printf("  %s x%llu\n", what.c_str(), (unsigned long long)count);
  return 0;
}
