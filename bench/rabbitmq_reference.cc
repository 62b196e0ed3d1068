// A bare rabbitmq-c client as the reference for the rabbitmq driver (bench/vs_native_rabbitmq.sh):
// one publisher connection with publisher confirms and a window of unconfirmed messages, one consumer
// connection with prefetch and manual acks (multiple=true every `ack_every`), as fast as they go.
// Prints one line: published/s (confirmed) and end-to-end/s (first publish to last consume).
//
//   rabbitmq_reference HOST PORT [messages=200000] [bytes=100] [queue_type=quorum] [window=1024]
//                      [prefetch=1000] [ack_every=100]
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

amqp_connection_state_t Connect(const char* host, int port) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  timeval tv{10, 0};
  if (amqp_socket_open_noblock(socket, host, port, &tv) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "cannot connect to %s:%d\n", host, port);
    std::exit(2);
  }
  amqp_set_rpc_timeout(conn, &tv);
  if (amqp_login(conn, "/", 0, 131072, 30, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type !=
      AMQP_RESPONSE_NORMAL) {
    std::fprintf(stderr, "login failed\n");
    std::exit(2);
  }
  amqp_channel_open(conn, 1);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) std::exit(2);
  return conn;
}

void Check(amqp_connection_state_t conn, const char* what) {
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) {
    std::fprintf(stderr, "%s failed\n", what);
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s HOST PORT [messages] [bytes] [queue_type] [window] [prefetch] [ack_every]\n",
                 argv[0]);
    return 2;
  }
  const char* host = argv[1];
  const int port = std::atoi(argv[2]);
  const long messages = argc > 3 ? std::atol(argv[3]) : 200000;
  const size_t bytes = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 100;
  const std::string type = argc > 5 ? argv[5] : "quorum";
  const long window = argc > 6 ? std::atol(argv[6]) : 1024;
  const int prefetch = argc > 7 ? std::atoi(argv[7]) : 1000;
  const long ack_every = argc > 8 ? std::atol(argv[8]) : 100;
  const std::string queue = "bk-reference-" + std::to_string(Clock::now().time_since_epoch().count());

  amqp_connection_state_t admin = Connect(host, port);
  amqp_table_entry_t qt{amqp_cstring_bytes("x-queue-type"), {AMQP_FIELD_KIND_UTF8, {}}};
  qt.value.value.bytes = amqp_cstring_bytes(type.c_str());
  amqp_queue_declare(admin, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, amqp_table_t{1, &qt});
  Check(admin, "queue.declare");

  std::atomic<bool> consumer_ready{false};
  Clock::time_point last_consumed;
  std::thread consumer([&] {
    amqp_connection_state_t conn = Connect(host, port);
    amqp_basic_qos(conn, 1, 0, static_cast<uint16_t>(prefetch), 0);
    Check(conn, "basic.qos");
    amqp_table_entry_t offset{amqp_cstring_bytes("x-stream-offset"), {AMQP_FIELD_KIND_UTF8, {}}};
    offset.value.value.bytes = amqp_cstring_bytes("first");
    amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, 0, 0,
                       amqp_table_t{type == "stream" ? 1 : 0, &offset});
    Check(conn, "basic.consume");
    consumer_ready = true;
    long received = 0;
    while (received < messages) {
      amqp_envelope_t envelope;
      amqp_maybe_release_buffers(conn);
      timeval tv{30, 0};
      amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, &tv, 0);
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        std::fprintf(stderr, "consume failed after %ld\n", received);
        std::exit(3);
      }
      ++received;
      if (received % ack_every == 0 || received == messages) {
        amqp_basic_ack(conn, 1, envelope.delivery_tag, 1);
      }
      amqp_destroy_envelope(&envelope);
    }
    last_consumed = Clock::now();
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
  });
  while (!consumer_ready) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  amqp_connection_state_t conn = Connect(host, port);
  amqp_confirm_select(conn, 1);
  Check(conn, "confirm.select");
  std::vector<char> body(bytes, 'x');
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.delivery_mode = 2;
  long published = 0, confirmed = 0;
  const auto start = Clock::now();
  while (confirmed < messages) {
    while (published < messages && published - confirmed < window) {
      amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0, &props,
                         amqp_bytes_t{bytes, body.data()});
      ++published;
    }
    amqp_frame_t frame;
    timeval tv{10, 0};
    if (amqp_simple_wait_frame_noblock(conn, &frame, &tv) != AMQP_STATUS_OK) {
      std::fprintf(stderr, "confirms stalled\n");
      return 3;
    }
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      // One queue: confirms arrive in order, so the tag is the count confirmed.
      confirmed = static_cast<long>(ack->delivery_tag);
    }
    amqp_maybe_release_buffers(conn);
  }
  const auto published_at = Clock::now();
  consumer.join();
  const double pub_s = std::chrono::duration<double>(published_at - start).count();
  const double e2e_s = std::chrono::duration<double>(last_consumed - start).count();
  std::printf(
      "reference %s: %ld x %zu B, window %ld, prefetch %d: published %.0f msg/s, end-to-end %.0f msg/s\n",
      type.c_str(), messages, bytes, window, prefetch, messages / pub_s, messages / e2e_s);
  amqp_queue_delete(admin, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  amqp_connection_close(admin, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(admin);
  return 0;
}
