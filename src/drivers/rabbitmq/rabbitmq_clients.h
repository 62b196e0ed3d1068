// The rabbitmq driver's producer and consumer (each owns one AMQP connection, used by one thread).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "drivers/driver.h"
#include "drivers/rabbitmq/rabbitmq_config.h"

namespace bakeoff {

// Publishes to the default exchange with routing key = queue name of the stream, or with `fanout` to the
// stream's fanout exchange (of the same name); with publisher confirms at most config.confirm_window
// publishes are unconfirmed (a fanout publish is confirmed once every bound queue took it). `name` is the
// connection name.
Result<std::unique_ptr<Producer>> NewRabbitMqProducer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      int index, bool fanout, const std::string& name,
                                                      CompletionSink& sink);

// Consumes its subscription's queues of the streams s with s % spec.count == spec.index, prefetch
// config.prefetch, manual acks.
Result<std::unique_ptr<Consumer>> NewRabbitMqConsumer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      const ConsumerSpec& spec, const std::string& name);

}  // namespace bakeoff
