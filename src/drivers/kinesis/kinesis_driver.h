// The kinesis driver: Amazon Kinesis Data Streams (and kinesalite) through the Kinesis JSON API 1.1,
// signed with the project's own SigV4 (src/aws/). See kinesis_driver.cc.
#pragma once

#include "drivers/driver.h"

namespace bakeoff {

Driver* GetKinesisDriver();

}  // namespace bakeoff
