#include "drivers/memory/spsc_ring.h"

#include <bit>

namespace bakeoff {

SpscRing::SpscRing(size_t slots, size_t slot_bytes)
    : slots_(std::bit_ceil(slots < 2 ? size_t{2} : slots)),
      mask_(slots_ - 1),
      slot_bytes_(slot_bytes),
      stride_((kLengthBytes + slot_bytes + 7) / 8 * 8),
      storage_(new std::byte[slots_ * stride_]) {}

}  // namespace bakeoff
