// A bounded single-producer single-consumer ring of fixed-size slots, used by the memory driver.
// The producer and consumer each cache the other's index so that the shared cache lines are touched
// only when the cached view says the ring is full (producer) or empty (consumer).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace bakeoff {

class SpscRing {
 public:
  // `slots` is rounded up to a power of two; each slot holds up to `slot_bytes` payload bytes.
  SpscRing(size_t slots, size_t slot_bytes);

  // Producer side: whether TryPush would succeed now (and so later, until this producer pushes).
  bool CanPush() {
    const uint64_t head = producer_.head;
    if (head - producer_.cached_tail < slots_) return true;
    producer_.cached_tail = tail_.load(std::memory_order_acquire);
    return head - producer_.cached_tail < slots_;
  }

  // Producer side. Returns false when full.
  bool TryPush(std::span<const std::byte> payload) {
    const uint64_t head = producer_.head;
    if (head - producer_.cached_tail >= slots_) {
      producer_.cached_tail = tail_.load(std::memory_order_acquire);
      if (head - producer_.cached_tail >= slots_) return false;
    }
    std::byte* slot = SlotAt(head);
    const uint32_t len = static_cast<uint32_t>(payload.size());
    std::memcpy(slot, &len, sizeof(len));
    std::memcpy(slot + kLengthBytes, payload.data(), len);
    producer_.head = head + 1;
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer side: number of readable slots (up to `max`), without consuming them.
  size_t Readable(size_t max) {
    uint64_t available = consumer_.cached_head - consumer_.tail;
    if (available == 0) {
      consumer_.cached_head = head_.load(std::memory_order_acquire);
      available = consumer_.cached_head - consumer_.tail;
    }
    return available < max ? static_cast<size_t>(available) : max;
  }
  // The i-th readable payload (i < Readable()); valid until Consume().
  std::span<const std::byte> Peek(size_t i) const {
    const std::byte* slot = SlotAt(consumer_.tail + i);
    uint32_t len;
    std::memcpy(&len, slot, sizeof(len));
    return {slot + kLengthBytes, len};
  }
  void Consume(size_t n) {
    consumer_.tail += n;
    tail_.store(consumer_.tail, std::memory_order_release);
  }

  size_t slot_bytes() const { return slot_bytes_; }

 private:
  static constexpr size_t kLengthBytes = 8;
  std::byte* SlotAt(uint64_t index) const { return storage_.get() + (index & mask_) * stride_; }

  size_t slots_;
  size_t mask_;
  size_t slot_bytes_;
  size_t stride_;
  std::unique_ptr<std::byte[]> storage_;

  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  alignas(64) struct {
    uint64_t head = 0;
    uint64_t cached_tail = 0;
  } producer_;
  alignas(64) struct {
    uint64_t tail = 0;
    uint64_t cached_head = 0;
  } consumer_;
};

}  // namespace bakeoff
