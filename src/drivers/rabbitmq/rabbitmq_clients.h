// The rabbitmq driver's producer and consumer (each owns one AMQP connection, used by one thread).
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "drivers/driver.h"
#include "drivers/rabbitmq/rabbitmq_config.h"

namespace bakeoff {

// Publishes to the default exchange with routing key = queue name of the stream; with publisher confirms
// at most config.confirm_window publishes are unconfirmed. `name` is the connection name.
Result<std::unique_ptr<Producer>> NewRabbitMqProducer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      int index, const std::string& name,
                                                      CompletionSink& sink);

// Consumes the queues of the streams s with s % count == index, prefetch config.prefetch, manual acks.
Result<std::unique_ptr<Consumer>> NewRabbitMqConsumer(const RabbitMqConfig& config, const TopicLayout& layout,
                                                      int index, int count, const std::string& name);

}  // namespace bakeoff
