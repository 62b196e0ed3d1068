// Bare cnats reference clients for bench/vs_native_nats.sh (the `nats bench` CLI is not packaged in
// Debian): the same work as bakeoff's nats / nats-jetstream drivers, without the harness.
//
//   nats_reference core URL MESSAGES SIZE [subscribe=0|1]   # publish on one connection, optionally
//                                                            # receive on another; msg/s published/received
//   nats_reference js URL MESSAGES SIZE [MAX_PENDING] [ACK_HANDLER=0|1]
//                                                            # js_PublishAsync into a fresh R1 file stream,
//                                                            # msg/s until every publish is acked; with an
//                                                            # ack handler that counts each PubAck (cnats
//                                                            # then parses every ack, as any client that
//                                                            # looks at its acks must; `nats bench` does)
//
// Prints one line per figure. Every blocking call has a timeout.
#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int Fail(const char* what, natsStatus s) {
  std::fprintf(stderr, "nats_reference: %s: %s\n", what, natsStatus_GetText(s));
  return 1;
}

int Core(const char* url, long messages, int size, bool subscribe) {
  natsConnection* pub = nullptr;
  natsConnection* sub_conn = nullptr;
  natsStatus s = natsConnection_ConnectTo(&pub, url);
  if (s != NATS_OK) return Fail("connect", s);
  std::atomic<long> received{0};
  std::atomic<bool> stop{false};
  std::thread receiver;
  Clock::time_point last_receive = Clock::now();
  int64_t dropped = 0;
  natsSubscription* sub = nullptr;
  if (subscribe) {
    if ((s = natsConnection_ConnectTo(&sub_conn, url)) != NATS_OK) return Fail("connect", s);
    if ((s = natsConnection_SubscribeSync(&sub, sub_conn, "bench.0")) != NATS_OK) return Fail("subscribe", s);
    natsSubscription_SetPendingLimits(sub, 65536, 64 * 1024 * 1024);
    natsConnection_FlushTimeout(sub_conn, 5000);
    receiver = std::thread([&] {
      while (!stop && received < messages) {
        natsMsg* m = nullptr;
        const natsStatus r = natsSubscription_NextMsg(&m, sub, 100);
        if (r == NATS_OK) {
          ++received;
          last_receive = Clock::now();
          natsMsg_Destroy(m);
        } else if (r != NATS_TIMEOUT && r != NATS_SLOW_CONSUMER) {
          break;
        }
      }
    });
  }
  std::vector<char> payload(static_cast<size_t>(size), 'x');
  const auto start = Clock::now();
  for (long i = 0; i < messages; ++i) {
    s = natsConnection_Publish(pub, "bench.0", payload.data(), size);
    if (s != NATS_OK) return Fail("publish", s);
  }
  s = natsConnection_FlushTimeout(pub, 30000);
  const auto published = Clock::now();
  if (s != NATS_OK) return Fail("flush", s);
  std::printf("native core: %ld x %d B published in %.3f s: %.0f msg/s published\n", messages, size,
              Seconds(start, published), messages / Seconds(start, published));
  if (subscribe) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (received < messages && Clock::now() < deadline) {
      natsSubscription_GetDropped(sub, &dropped);
      if (received + dropped >= messages) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    receiver.join();
    natsSubscription_GetDropped(sub, &dropped);
    std::printf("native core: received %ld (dropped %lld) in %.3f s: %.0f msg/s received\n", received.load(),
                static_cast<long long>(dropped), Seconds(start, last_receive),
                received / Seconds(start, last_receive));
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(sub_conn);
  }
  natsConnection_Destroy(pub);
  return 0;
}

std::atomic<long> g_acks{0};

void CountAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr*, void*) {
  if (pa != nullptr) g_acks.fetch_add(1, std::memory_order_relaxed);
  natsMsg_Destroy(msg);
}

int JetStream(const char* url, long messages, int size, long max_pending, bool ack_handler) {
  natsConnection* nc = nullptr;
  natsStatus s = natsConnection_ConnectTo(&nc, url);
  if (s != NATS_OK) return Fail("connect", s);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = 10000;
  jo.PublishAsync.MaxPending = max_pending;
  if (ack_handler) jo.PublishAsync.AckHandler = &CountAck;
  jsCtx* js = nullptr;
  if ((s = natsConnection_JetStream(&js, nc, &jo)) != NATS_OK) return Fail("jetstream", s);
  const std::string name =
      "NATSREF" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string subject = name + ".0";
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = 1;
  jsErrCode code;
  if ((s = js_AddStream(nullptr, js, &cfg, nullptr, &code)) != NATS_OK) return Fail("add stream", s);
  std::vector<char> payload(static_cast<size_t>(size), 'x');
  const auto start = Clock::now();
  for (long i = 0; i < messages; ++i) {
    s = js_PublishAsync(js, subject.c_str(), payload.data(), size, nullptr);
    if (s == NATS_TIMEOUT) {  // stalled on the window: retry
      --i;
      continue;
    }
    if (s != NATS_OK) return Fail("publish", s);
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60000;
  s = js_PublishAsyncComplete(js, &po);
  const auto done = Clock::now();
  if (s != NATS_OK) return Fail("publish complete", s);
  if (ack_handler && g_acks.load() != messages) {
    std::fprintf(stderr, "nats_reference: %ld acks seen by the handler, expected %ld\n", g_acks.load(),
                 messages);
    return 1;
  }
  std::printf("native jetstream%s: %ld x %d B acked in %.3f s (max_pending %ld): %.0f msg/s acked\n",
              ack_handler ? " (ack handler)" : "", messages, size, Seconds(start, done), max_pending,
              messages / Seconds(start, done));
  js_DeleteStream(js, name.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: nats_reference core|js URL MESSAGES SIZE [subscribe|max_pending]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const long messages = std::atol(argv[3]);
  const int size = std::atoi(argv[4]);
  if (mode == "core") return Core(argv[2], messages, size, argc > 5 && std::atoi(argv[5]) != 0);
  if (mode == "js")
    return JetStream(argv[2], messages, size, argc > 5 ? std::atol(argv[5]) : 4096,
                     argc > 6 && std::atoi(argv[6]) != 0);
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
