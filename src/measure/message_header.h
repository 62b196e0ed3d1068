// The header every bakeoff message starts with: who sent it, its sequence number in its stream, and
// when it was meant to be sent and actually sent. Consumers decode it to measure latency and account
// for loss, duplication and reordering. Little-endian, fixed layout, 32 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace bakeoff {

inline constexpr uint16_t kHeaderMagic = 0xBA0F;
inline constexpr uint8_t kHeaderVersion = 1;
inline constexpr size_t kHeaderBytes = 32;

struct MessageHeader {
  uint32_t producer_id = 0;  // index of the producer thread within the run
  uint64_t seq = 0;          // 0-based, contiguous per (producer, stream)
  int64_t intended_ns = 0;   // MonotonicNowNs() at which the rate schedule meant to send it
  int64_t sent_ns = 0;       // MonotonicNowNs() when the producer handed it to the client
};

// Writes the header into the first kHeaderBytes of `out` (which must be at least that long).
inline void EncodeHeader(const MessageHeader& h, std::byte* out) {
  uint8_t fixed[8] = {static_cast<uint8_t>(kHeaderMagic & 0xff),
                      static_cast<uint8_t>(kHeaderMagic >> 8),
                      kHeaderVersion,
                      0,
                      0,
                      0,
                      0,
                      0};
  std::memcpy(fixed + 4, &h.producer_id, 4);
  std::memcpy(out, fixed, 8);
  std::memcpy(out + 8, &h.seq, 8);
  std::memcpy(out + 16, &h.intended_ns, 8);
  std::memcpy(out + 24, &h.sent_ns, 8);
}

// Decodes a header; nullopt if the payload is too short or not a bakeoff message.
inline std::optional<MessageHeader> DecodeHeader(std::span<const std::byte> payload) {
  if (payload.size() < kHeaderBytes) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  if (p[0] != (kHeaderMagic & 0xff) || p[1] != (kHeaderMagic >> 8) || p[2] != kHeaderVersion) {
    return std::nullopt;
  }
  MessageHeader h;
  std::memcpy(&h.producer_id, p + 4, 4);
  std::memcpy(&h.seq, p + 8, 8);
  std::memcpy(&h.intended_ns, p + 16, 8);
  std::memcpy(&h.sent_ns, p + 24, 8);
  return h;
}

}  // namespace bakeoff
