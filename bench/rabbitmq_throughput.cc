// Throughput check (not a test): the rabbitmq driver through the real workload runner against a broker
// of one's own, as bench/vs_native_rabbitmq.sh uses it.
//   rabbitmq_throughput URL [queue_type=quorum] [messages=200000] [rate=0 (max)] [producers=1]
//                       [partitions=1] [consumers=1] [bytes=100] [confirm_window=1024] [option=value ...]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "drivers/rabbitmq/rabbitmq_driver.h"
#include "measure/clock.h"
#include "workload/runner.h"

int main(int argc, char** argv) {
  using namespace bakeoff;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s URL [queue_type] [messages] [rate] [producers] [partitions] [consumers] "
                 "[bytes] [confirm_window]\n",
                 argv[0]);
    return 2;
  }
  auto arg = [&](int i, const char* fallback) { return std::string(argc > i ? argv[i] : fallback); };
  SystemSpec system;
  system.name = "rabbitmq";
  system.driver = "rabbitmq";
  system.options.Set("queue_type", arg(2, "quorum"));
  system.options.Set("confirm_window", int64_t{std::atoll(arg(9, "1024").c_str())});
  for (int i = 10; i < argc; ++i) {  // option=value overrides: true/false, integers (durations in ns), text
    const std::string kv = argv[i];
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (value == "true" || value == "false") {
      system.options.Set(key, value == "true");
    } else if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
      system.options.Set(key, int64_t{std::atoll(value.c_str())});
    } else {
      system.options.Set(key, value);
    }
  }
  ApplyDefaults(GetRabbitMqDriver()->schema(), system.options);
  WorkloadSpec workload;
  workload.messages = std::atoll(arg(3, "200000").c_str());
  const double rate = std::atof(arg(4, "0").c_str());
  workload.rate.max = rate <= 0;
  workload.rate.msgs_per_s = rate;
  workload.producers = std::atoi(arg(5, "1").c_str());
  workload.partitions = std::atoi(arg(6, "1").c_str());
  workload.consumers = std::atoi(arg(7, "1").c_str());
  workload.message_size.fixed_bytes = std::atoll(arg(8, "100").c_str());
  workload.duration_ns = 120'000'000'000;
  workload.drain_timeout_ns = 30'000'000'000;
  const std::string topic = "bk-tp-" + std::to_string(WallNowNs());
  SessionContext ctx{
      .system = &system, .workload = &workload, .endpoints = {{"url", argv[1]}}, .run_id = topic};
  Result<std::unique_ptr<Session>> session = GetRabbitMqDriver()->Connect(ctx);
  if (!session.ok()) {
    std::fprintf(stderr, "%s\n", session.status().ToString().c_str());
    return 1;
  }
  Status created = (*session)->CreateTopics({.topics = {topic}, .partitions = workload.partitions});
  if (!created.ok()) {
    std::fprintf(stderr, "%s\n", created.ToString().c_str());
    return 1;
  }
  RunnerOptions options;
  options.system_name = "rabbitmq";
  options.streams = workload.streams();
  Result<RunMetrics> m = RunWorkload(**session, workload, options);
  (void)(*session)->DeleteTopics();
  if (!m.ok()) {
    std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
    return 1;
  }
  const AccountingTotals& a = m->accounting;
  std::printf(
      "bakeoff rabbitmq %s: %ld x %ld B, %d producer(s), %d queue(s): sent %.0f msg/s, received %.0f msg/s, "
      "e2e p50 %.2f ms p99 %.2f ms; sent %lu acked %lu received %lu lost %lu dup %lu ooo %lu errors %lu\n",
      arg(2, "quorum").c_str(), static_cast<long>(*workload.messages),
      static_cast<long>(workload.message_size.fixed_bytes), workload.producers, workload.partitions,
      m->sent_msgs_per_s(), m->received_msgs_per_s(), m->e2e.corrected.ValueAtPercentile(50) / 1e6,
      m->e2e.corrected.ValueAtPercentile(99) / 1e6, static_cast<unsigned long>(a.sent),
      static_cast<unsigned long>(a.acked), static_cast<unsigned long>(a.received),
      static_cast<unsigned long>(a.lost), static_cast<unsigned long>(a.duplicated),
      static_cast<unsigned long>(a.out_of_order), static_cast<unsigned long>(a.send_errors));
  return a.lost == 0 && a.duplicated == 0 ? 0 : 1;
}
