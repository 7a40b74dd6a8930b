/// \file
/// DeadlineTable: one shard of the ExpiryIndex, a flat hash table from key to deadline.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "10-expiry/clock.hpp"
#include "common/published_slots.hpp"

namespace vkv::storage {

/// A hash table from key to deadline, open addressing with linear probing. A slot is the
/// key's 64-bit hash and its deadline, 16 bytes, four to a cache line; the keys themselves
/// sit in a second array beside it, at the same positions, read only when a key is added or
/// taken out as due. A key is found by its hash alone, so a lookup costs one trip to memory,
/// for the slot, and never a second one for the key's bytes: it is what every write with a
/// deadline pays (see ExpiryIndex), and the smaller the slots, the more of them stay in the
/// processor's cache. Two keys with one 64-bit hash (about one chance in 10^19 for a pair)
/// share a slot: the index then holds one of them, which costs the other only its active
/// expiry (reads still hide it, compaction still drops it), as the row cache of chapter 8
/// accepts a miss.
///
/// Not thread-safe: ExpiryIndex holds one per shard, under the shard's mutex.
class DeadlineTable {
 public:
  /// Gives `key` (whose hash_key() is `hash`) the deadline `deadline`, adding it if new.
  /// REQUIRES: !key.empty().
  void set(std::uint64_t hash, std::string_view key, UnixMillis deadline);
  /// Removes the key whose hash is `hash`; false if none was there.
  bool erase(std::uint64_t hash);
  /// Looks at the keys in slots `*cursor` on, until it has looked at `look` of them or reached
  /// the end, and takes out those whose deadline is `now` or earlier, appending them to
  /// `*due`. Moves `*cursor` past what it looked at: at the end, `*cursor` is 0 again and it
  /// returns true (a round is done). Adds what it looked at to `*looked`. A round looks at
  /// every key that was in the table throughout it, at least once (a removal near the end
  /// of the table may move a key from its start, and a table that shrinks after a wave
  /// starts its round over: such keys are looked at twice).
  bool take_due(std::size_t* cursor, UnixMillis now, std::size_t look,
                std::vector<std::string>* due, std::size_t* looked);
  /// Starts loading, into the processor's cache, the slot where a lookup of `hash` begins,
  /// so that a set() or erase() a little later does not wait for memory. Thread-safe, unlike
  /// the rest: it reads only where the slots are, published in two atomics when they move.
  /// Racing a resize, it may aim at the old array, or past its end (the new mask with the
  /// old array): a prefetch never faults, so that costs only a wasted load.
  void prefetch(std::uint64_t hash) const { published_.prefetch(hash); }
  /// The keys it holds.
  [[nodiscard]] std::size_t size() const { return count_; }
  /// Forgets every key and gives the memory back.
  void clear();

 private:
  // A slot's deadline when it is free. No key is stored with it: a deadline that has passed
  // deletes the key instead (ExpiryRules), and set() moves this one a millisecond later.
  static constexpr UnixMillis kFree = std::numeric_limits<UnixMillis>::min();
  struct Slot {
    std::uint64_t hash = 0;
    UnixMillis deadline = kFree;
  };
  static constexpr std::size_t kNone = ~std::size_t{0};
  static constexpr std::size_t kMinSlots = 16;

  // The slot of the key whose hash is `hash`, or kNone.
  [[nodiscard]] std::size_t find(std::uint64_t hash) const;
  // Empties slot `i`, shifting back the entries after it that would otherwise be cut off
  // from their home (no tombstones).
  void remove_at(std::size_t i);
  // Shrinks a table far larger than what it holds (after a wave of expiry); true if it did.
  bool shrink_if_sparse();
  // Rebuilds the table with `slots` slots (a power of two, above the count).
  void resize(std::size_t slots);

  // Puts a key into the free slot `i`.
  void fill(std::size_t i, std::uint64_t hash, UnixMillis deadline, std::string key);
  // Moves the key in slot `from` into the free slot `to`, leaving `from` free.
  void move_slot(std::size_t from, std::size_t to);

  std::vector<Slot> slots_;
  std::vector<std::string> keys_;  // keys_[i] is slot i's key (empty when the slot is free)
  std::size_t count_ = 0;
  // slots_.data() and slots_.size() - 1, for prefetch(); set whenever the array moves.
  PublishedSlots<Slot> published_;  // where slots_ is, for prefetch()
};

}  // namespace vkv::storage
