// One driver at full speed through the real runner, against a server given by URL: the bakeoff side of
// bench/vs_native_redis.sh and bench/vs_native_mqtt.sh (which start the server and the native tool).
//
//   driver_throughput DRIVER url=URL [messages=N] [producers=N] [consumers=N] [partitions=N] [size=BYTES]
//                     [rate=max|MSGS_PER_S] [driver_option=value ...]
//
// Prints one line: sent, acked, received, lost, and msg/s over the measured window (which ends when the
// last completion or delivery arrived, like the native tools' own clocks).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "drivers/registry.h"
#include "measure/clock.h"
#include "workload/runner.h"

namespace bakeoff {
namespace {

bool SetOption(const OptionSchema& schema, const std::string& name, const std::string& text,
               OptionValues& out) {
  const OptionSpec* spec = schema.Find(name);
  if (spec == nullptr) return false;
  switch (spec->type) {
    case OptionType::kBool:
      out.Set(name, text == "true" || text == "1");
      return true;
    case OptionType::kInt:
      out.Set(name, static_cast<int64_t>(std::stoll(text)));
      return true;
    case OptionType::kDouble:
      out.Set(name, std::stod(text));
      return true;
    case OptionType::kDuration:  // seconds
      out.Set(name, static_cast<int64_t>(std::stod(text) * 1e9));
      return true;
    default:
      out.Set(name, text);
      return true;
  }
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: driver_throughput DRIVER url=URL [messages=N] [producers=N] ... [option=value]\n");
    return 2;
  }
  Driver* driver = FindDriver(argv[1]);
  if (driver == nullptr) {
    std::fprintf(stderr, "no driver %s\n", argv[1]);
    return 2;
  }
  SystemSpec system;
  system.name = system.driver = argv[1];
  WorkloadSpec workload;
  workload.rate.max = true;
  workload.messages = 1'000'000;
  workload.consumers = 0;
  workload.warmup_ns = 0;
  workload.duration_ns = 120'000'000'000;
  workload.drain_timeout_ns = 10'000'000'000;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) return std::fprintf(stderr, "bad argument %s\n", argv[i]), 2;
    const std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (key == "messages")
      workload.messages = std::stoll(value);
    else if (key == "producers")
      workload.producers = std::stoi(value);
    else if (key == "consumers")
      workload.consumers = std::stoi(value);
    else if (key == "partitions")
      workload.partitions = std::stoi(value);
    else if (key == "size")
      workload.message_size.fixed_bytes = std::stoll(value);
    else if (key == "rate") {
      workload.rate.max = value == "max";
      if (!workload.rate.max) workload.rate.msgs_per_s = std::stod(value);
    } else if (!SetOption(driver->schema(), key, value, system.options)) {
      return std::fprintf(stderr, "%s has no option %s\n", argv[1], key.c_str()), 2;
    }
  }
  ApplyDefaults(driver->schema(), system.options);
  SessionContext ctx{
      .system = &system, .workload = &workload, .run_id = "bench-" + std::to_string(WallNowNs())};
  Result<std::unique_ptr<Session>> session = driver->Connect(ctx);
  if (!session.ok()) return std::fprintf(stderr, "%s\n", session.status().ToString().c_str()), 1;
  TopicLayout layout{.topics = {"bench"}, .partitions = workload.partitions};
  Status created = (*session)->CreateTopics(layout);
  if (!created.ok()) return std::fprintf(stderr, "%s\n", created.ToString().c_str()), 1;
  RunnerOptions options;
  options.system_name = system.name;
  options.streams = workload.streams();
  Result<RunMetrics> m = RunWorkload(**session, workload, options);
  (void)(*session)->DeleteTopics();
  if (!m.ok()) return std::fprintf(stderr, "%s\n", m.status().ToString().c_str()), 1;
  const AccountingTotals& a = m->accounting;
  const double seconds = static_cast<double>(m->measured_ns) / 1e9;
  std::printf(
      "bakeoff %s: sent %lu acked %lu received %lu lost %lu errors %zu | %.3f s | %.0f msg/s acked, %.0f "
      "msg/s received\n",
      argv[1], a.sent, a.acked, a.received, a.lost, m->errors.size(), seconds,
      seconds > 0 ? static_cast<double>(a.acked) / seconds : 0.0, m->received_msgs_per_s());
  return 0;
}

}  // namespace
}  // namespace bakeoff

int main(int argc, char** argv) {
  return bakeoff::Main(argc, argv);
}
