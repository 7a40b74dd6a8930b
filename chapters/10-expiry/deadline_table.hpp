/// \file
/// DeadlineTable: one shard of the ExpiryIndex, a flat hash table from key to deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "10-expiry/clock.hpp"

namespace vkv::storage {

/// A hash table from key to deadline, open addressing with linear probing, every slot in one
/// array: the key's 64-bit hash, its deadline and the key itself side by side. A key is found
/// by its hash alone, so a lookup costs one trip to memory, for the slot, and never a second
/// one for the key's bytes: it is what every write with a deadline pays (see ExpiryIndex).
/// Two keys with one 64-bit hash (about one chance in 10^19 for a pair) share a slot: the
/// index then holds one of them, which costs the other only its active expiry (reads still
/// hide it, compaction still drops it), as the row cache of chapter 8 accepts a miss.
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
  /// The keys it holds.
  [[nodiscard]] std::size_t size() const { return count_; }
  /// Forgets every key and gives the memory back.
  void clear();

 private:
  struct Slot {
    std::uint64_t hash = 0;
    UnixMillis deadline = 0;
    std::string key;  // empty: a free slot (keys are never empty)
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

  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

}  // namespace vkv::storage
