// How a run is named and qualified wherever its figures are shown (terminal table, report, compare):
// its column label (system, matrix point, repeat), the delivery guarantee its driver read back from the
// system, and the stand-in it ran against when that is not the real system.
#pragma once

#include <string>
#include <vector>

#include "results/result.h"

namespace bakeoff {

// "redis", or with a matrix of several points "redis p2", with repeats "redis p2 r3" (1-based): every
// column of a table says which run it is.
std::vector<std::string> RunColumnLabels(const ExperimentResult& result);

// The driver's read-back guarantee (`driver_facts.delivery_guarantee`), or "-" when it gave none.
std::string DeliveryGuarantee(const RunRecord& run);

// `environment_facts.stand_in` ("librdkafka mock cluster (not Apache Kafka)"); empty for the real thing.
std::string StandIn(const RunRecord& run);

// "p2: workload.message_size=1KiB, systems.kafka.options.acks=all" per matrix point that a label
// names; empty without a matrix of several points.
std::vector<std::string> PointLegend(const ExperimentResult& result);

}  // namespace bakeoff
