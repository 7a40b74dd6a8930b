/// \file
/// PublishedSlots: where a hash table's slot array is, for a prefetch that takes no lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace vkv {

/// Where an open-addressing table's array of slots is now, so that any thread can start
/// loading a key's home slot (`hash & (count - 1)`) without the lock that guards the table.
///
/// The table's owner calls publish() each time the array moves (under its own lock). A
/// prefetch that races a move may aim at the old array, or past the new one's end: harmless,
/// since a prefetch never faults and changes nothing. It is a hint only: it reads no slot.
template <typename Slot>
class PublishedSlots {
 public:
  /// The slots are now `slots`, `count` of them: a power of two, or 0 for none.
  void publish(const Slot* slots, std::size_t count) {
    mask_.store(count == 0 ? 0 : count - 1, std::memory_order_relaxed);
    slots_.store(count == 0 ? nullptr : slots, std::memory_order_release);
  }
  /// Starts loading the home slot of `hash`, if there are slots. Any thread, no lock.
  void prefetch(std::uint64_t hash) const {
    const Slot* slots = slots_.load(std::memory_order_acquire);
    if (slots == nullptr) return;
    __builtin_prefetch(slots + (hash & mask_.load(std::memory_order_relaxed)));
  }

 private:
  std::atomic<const Slot*> slots_{nullptr};
  std::atomic<std::size_t> mask_{0};
};

}  // namespace vkv
