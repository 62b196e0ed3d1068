// The rabbitmq driver: RabbitMQ over AMQP 0-9-1 with rabbitmq-c. A queue per stream, named
// "<topic>.<partition>", of the configured type (classic, quorum, stream); publishing goes to the default
// exchange with the queue name as routing key. Every producer, every consumer and the session's
// administration has its own connection (rabbitmq-c is not thread-safe). With several nodes in "url",
// client i connects to node i % nodes (connect_to: spread) so that connections spread over the cluster;
// the broker routes to each queue's leader internally.
//
// Fan-out (workload.subscriptions > 1): each stream gets a fanout exchange named like its queue would be,
// and each subscription k a queue "<topic>.<partition>.s<k>" bound to it; producers publish to the
// exchange, so every subscription's queue receives every message. With one subscription the topology is
// the plain one above.
//
// Options and URLs: rabbitmq_config.cc; connection handling: rabbitmq_connection.cc; clients:
// rabbitmq_producer.cc and rabbitmq_consumer.cc. This file holds the driver and the session (queue
// administration, facts).
#include "drivers/rabbitmq/rabbitmq_driver.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "drivers/rabbitmq/rabbitmq_clients.h"
#include "drivers/rabbitmq/rabbitmq_config.h"
#include "drivers/rabbitmq/rabbitmq_connection.h"

namespace bakeoff {
namespace {

bool IsInteger(const std::string& s) {
  if (s.empty() || s.size() > 18) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && !(i == 0 && s[i] == '-' && s.size() > 1))
      return false;
  }
  return true;
}

class RabbitMqSession final : public Session {
 public:
  RabbitMqSession(RabbitMqConfig config, std::string run_id, int subscriptions)
      : config_(std::move(config)), run_id_(std::move(run_id)), subscriptions_(std::max(1, subscriptions)) {}

  Status Init() { return admin_.Open(config_, 0, ConnectionName("admin")); }

  Status CreateTopics(const TopicLayout& layout) override {
    layout_ = layout;
    const uint32_t streams = static_cast<uint32_t>(layout.topics.size() * std::max(1, layout.partitions));
    for (uint32_t s = 0; s < streams; ++s) {
      if (subscriptions_ == 1) {
        const std::string queue = RabbitQueueName(layout, s);
        BAKEOFF_RETURN_IF_ERROR(Declare(queue));
        created_.push_back(queue);
        continue;
      }
      const std::string exchange = RabbitQueueName(layout, s);
      // Recorded first: a declare that timed out may still have happened.
      created_exchanges_.push_back(exchange);
      BAKEOFF_RETURN_IF_ERROR(DeclareFanoutExchange(exchange));
      for (int k = 0; k < subscriptions_; ++k) {
        const std::string queue = RabbitSubscriptionQueueName(layout, s, k, subscriptions_);
        BAKEOFF_RETURN_IF_ERROR(Declare(queue));
        created_.push_back(queue);
        BAKEOFF_RETURN_IF_ERROR(Bind(queue, exchange));
      }
    }
    return Status::Ok();
  }

  Status DeleteTopics() override {
    if (created_.empty() && created_exchanges_.empty()) return Status::Ok();
    if (admin_.broken()) {
      // The admin connection may have died with a node; try once more on any node.
      admin_.Close();
      AmqpConnection fresh;
      Status opened = fresh.Open(config_, 0, ConnectionName("admin"));
      if (!opened.ok()) {
        created_.clear();
        created_exchanges_.clear();
        return Status(opened.code(), "rabbitmq: cannot delete queues: " + opened.message());
      }
      return DeleteOn(fresh);
    }
    return DeleteOn(admin_);
  }

  Result<std::unique_ptr<Producer>> NewProducer(int index, CompletionSink& sink) override {
    return NewRabbitMqProducer(config_, layout_, index, /*fanout=*/subscriptions_ > 1,
                               ConnectionName("p" + std::to_string(index)), sink);
  }

  Result<std::unique_ptr<Consumer>> NewConsumer(const ConsumerSpec& spec) override {
    if (spec.subscriptions != subscriptions_)
      return InvalidArgument("rabbitmq: the queues were made for " + std::to_string(subscriptions_) +
                             " subscriptions, not " + std::to_string(spec.subscriptions));
    const std::string sub = subscriptions_ == 1 ? "" : "s" + std::to_string(spec.subscription) + "-";
    return NewRabbitMqConsumer(config_, layout_, spec,
                               ConnectionName(sub + "c" + std::to_string(spec.index)));
  }

  // From the declared queues (AMQP 0-9-1 cannot read a queue's type back without the management API).
  std::string RabbitGuarantee() const {
    if (!config_.publisher_confirms)
      return "at-most-once (no publisher confirms: sent = written to the socket)";
    std::string text =
        std::string("at-least-once, confirmed by the broker into a ") + config_.queue_type_name() + " queue";
    if (config_.queue_type != RabbitQueueType::kClassic) return text + " (replicated, fsynced by quorum)";
    return text + (config_.persistent ? " (persistent messages)" : " (transient messages: lost on restart)");
  }

  std::map<std::string, std::string> Facts() override {
    std::map<std::string, std::string> facts;
    facts["client"] = std::string("rabbitmq-c ") + amqp_version();
    const std::string product = admin_.ServerProperty("product");
    const std::string version = admin_.ServerProperty("version");
    if (!version.empty()) facts["server.version"] = (product.empty() ? "" : product + " ") + version;
    const std::string cluster = admin_.ServerProperty("cluster_name");
    if (!cluster.empty()) facts["server.cluster_name"] = cluster;
    facts["nodes"] = std::to_string(config_.nodes.size());
    facts["connect_to"] = config_.spread_connections ? "spread" : "first";
    facts["queue_type"] = config_.queue_type_name();
    if (subscriptions_ > 1) {
      facts["topology"] =
          "a fanout exchange per stream, a queue per subscription (" + std::to_string(subscriptions_) + ")";
    }
    facts["queue_durable"] = config_.durable_queues() ? "true" : "false";
    facts["delivery_mode"] = config_.persistent ? "2 (persistent)" : "1 (transient)";
    facts["publisher_confirms"] = config_.publisher_confirms ? "true" : "false";
    facts["confirm_window"] = std::to_string(config_.confirm_window);
    facts["delivery_guarantee"] = RabbitGuarantee();
    facts["mandatory"] = config_.mandatory ? "true" : "false";
    facts["prefetch"] = std::to_string(config_.prefetch);
    facts["consumer_ack"] = "manual, multiple=true every " + std::to_string(config_.ack_batch) + " or " +
                            std::to_string(config_.ack_interval.count() / 1000) + " us";
    facts["heartbeat_s"] = std::to_string(config_.heartbeat.count());
    facts["frame_max"] = std::to_string(config_.frame_max_bytes);
    for (const auto& [key, value] : config_.queue_arguments) facts["queue_argument." + key] = value;
    return facts;
  }

 private:
  std::string ConnectionName(const std::string& role) const { return "bakeoff-" + run_id_ + "-" + role; }

  Status Declare(const std::string& queue) {
    BAKEOFF_RETURN_IF_ERROR(admin_.EnsureChannel());
    std::vector<amqp_table_entry_t> entries;
    std::deque<std::string> keep;  // backing store of the entries' keys and text values (stable addresses)
    auto add_text = [&](const std::string& key, const std::string& value) {
      keep.push_back(key);
      amqp_table_entry_t e;
      e.key = AmqpBytes(keep.back());
      keep.push_back(value);
      e.value.kind = AMQP_FIELD_KIND_UTF8;
      e.value.value.bytes = AmqpBytes(keep.back());
      entries.push_back(e);
    };
    add_text("x-queue-type", config_.queue_type_name());
    for (const auto& [key, value] : config_.queue_arguments) {
      if (IsInteger(value)) {
        keep.push_back(key);
        amqp_table_entry_t e;
        e.key = AmqpBytes(keep.back());
        e.value.kind = AMQP_FIELD_KIND_I64;
        e.value.value.i64 = std::stoll(value);
        entries.push_back(e);
      } else {
        add_text(key, value);
      }
    }
    const amqp_table_t arguments{static_cast<int>(entries.size()), entries.data()};
    amqp_queue_declare(admin_.state(), AmqpConnection::kChannel, AmqpBytes(queue), /*passive=*/0,
                       config_.durable_queues() ? 1 : 0, /*exclusive=*/0, /*auto_delete=*/0, arguments);
    Status st = admin_.CheckReply("queue.declare " + queue);
    if (st.code() == StatusCode::kInvalidArgument) {
      return InvalidArgument(st.message() +
                             " (a queue of that name exists with other arguments: delete it or "
                             "use another topic name)");
    }
    return st;
  }

  Status DeclareFanoutExchange(const std::string& exchange) {
    BAKEOFF_RETURN_IF_ERROR(admin_.EnsureChannel());
    amqp_exchange_declare(
        admin_.state(), AmqpConnection::kChannel, AmqpBytes(exchange), amqp_cstring_bytes("fanout"),
        /*passive=*/0, config_.durable_queues() ? 1 : 0, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
    Status st = admin_.CheckReply("exchange.declare " + exchange);
    if (st.code() == StatusCode::kInvalidArgument) {
      return InvalidArgument(
          st.message() +
          " (an exchange of that name exists with another type or durability: delete it or "
          "use another topic name)");
    }
    return st;
  }

  Status Bind(const std::string& queue, const std::string& exchange) {
    BAKEOFF_RETURN_IF_ERROR(admin_.EnsureChannel());
    amqp_queue_bind(admin_.state(), AmqpConnection::kChannel, AmqpBytes(queue), AmqpBytes(exchange),
                    amqp_empty_bytes, amqp_empty_table);
    return admin_.CheckReply("queue.bind " + queue + " to " + exchange);
  }

  Status DeleteOn(AmqpConnection& conn) {
    Status first_error;
    for (const std::string& exchange : created_exchanges_) {
      if (conn.broken()) break;
      Status st = conn.EnsureChannel();
      if (st.ok()) {
        amqp_exchange_delete(conn.state(), AmqpConnection::kChannel, AmqpBytes(exchange), /*if_unused=*/0);
        st = conn.CheckReply("exchange.delete " + exchange);
      }
      if (!st.ok() && st.code() != StatusCode::kNotFound && first_error.ok()) first_error = st;
    }
    created_exchanges_.clear();
    for (const std::string& queue : created_) {
      Status st = conn.EnsureChannel();
      if (st.ok()) {
        amqp_queue_delete(conn.state(), AmqpConnection::kChannel, AmqpBytes(queue), 0, 0);
        st = conn.CheckReply("queue.delete " + queue);
      }
      if (!st.ok() && st.code() != StatusCode::kNotFound && first_error.ok()) first_error = st;
      if (conn.broken()) break;
    }
    created_.clear();
    return first_error;
  }

  const RabbitMqConfig config_;
  const std::string run_id_;
  const int subscriptions_;
  AmqpConnection admin_;
  TopicLayout layout_;
  std::vector<std::string> created_;            // queues
  std::vector<std::string> created_exchanges_;  // fan-out only
};

class RabbitMqDriver final : public Driver {
 public:
  std::string name() const override { return "rabbitmq"; }
  std::string description() const override {
    return "RabbitMQ over AMQP 0-9-1 (rabbitmq-c): classic, quorum or stream queues, publisher confirms, "
           "prefetch, manual acks.";
  }
  const OptionSchema& schema() const override { return RabbitMqOptionSchema(); }
  const OptionBinding* option_binding() const override { return &RabbitMqOptions(); }
  Capabilities capabilities(const OptionValues& options) const override {
    Result<RabbitMqSettings> bound = RabbitMqOptions().Bind(options);
    // Options that do not bind fail at Connect; until then they read as the defaults.
    const RabbitMqSettings settings = bound.ok() ? *bound : *RabbitMqOptions().Bind(OptionValues{});
    const bool confirms = settings.publisher_confirms;
    const bool persistent = settings.persistent;
    const bool classic = settings.queue_type == RabbitQueueType::kClassic;
    return {
        // One channel per producer publishes in order; a queue delivers in order to its one consumer.
        .ordered_per_stream = true,
        .confirms_publish = confirms,
        // Quorum and stream queues persist every message; classic queues only persistent ones.
        .durable = confirms && (!classic || persistent),
    };
  }
  Result<std::unique_ptr<Session>> Connect(const SessionContext& context) override {
    if (context.system == nullptr) return InvalidArgument("rabbitmq: session without a system");
    Result<RabbitMqConfig> config = BuildRabbitMqConfig(context.system->options, context.endpoints);
    if (!config.ok()) return config.status();
    auto session =
        std::make_unique<RabbitMqSession>(std::move(config).value(), context.run_id,
                                          context.workload != nullptr ? context.workload->subscriptions : 1);
    BAKEOFF_RETURN_IF_ERROR(session->Init());
    return std::unique_ptr<Session>(std::move(session));
  }
};

}  // namespace

Driver* GetRabbitMqDriver() {
  static RabbitMqDriver driver;
  return &driver;
}

}  // namespace bakeoff
