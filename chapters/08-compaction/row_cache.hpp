/// \file
/// RowCache: the values GETs found in the tables, kept in memory until the tables change.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vkv::storage {

//! [row-cache]
/// A cache of key/value pairs that a lookup in the tables found, so that a GET of a hot key
/// whose value lives in a table costs a hash lookup instead of a block search.
///
/// **When an entry is true.** What a lookup in the tables finds changes only when a flush adds
/// a table: a compaction moves entries between tables but never changes which value a key
/// has. So the VersionSet numbers its flushes (the *epoch*), each entry records the epoch it
/// was found in, and a lookup accepts only an entry of its own version's epoch. Nothing is
/// ever invalidated: entries of older epochs simply stop matching, and age out.
///
/// Once the cache holds `capacity_bytes` (keys, values and about 96 bytes of bookkeeping
/// each), entries not used since they were last considered go first (the CLOCK
/// approximation of least recently used: a hit only sets a flag, it moves nothing). Sharded
/// by the key's hash; thread-safe.
class RowCache {
 public:
  /// A cache of about `capacity_bytes`; 0 turns it off (every lookup misses).
  explicit RowCache(std::size_t capacity_bytes);

  /// The value of `key` found in epoch `epoch`, if cached: true, and `*value` set.
  bool lookup(std::string_view key, std::uint64_t epoch, std::string* value);
  /// Remembers that in epoch `epoch` the tables give `key` the value `value`.
  void insert(std::string_view key, std::string_view value, std::uint64_t epoch);

  /// Lookups that found an entry of their epoch.
  [[nodiscard]] std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  /// Bytes the cache holds now.
  [[nodiscard]] std::size_t bytes() const;

 private:
  struct Entry {
    std::uint64_t hash = 0;  // hash_key(key)
    std::string key;
    std::string value;
    std::uint64_t epoch = 0;
    bool used = false;  // hit since eviction last passed it
  };
  // The index maps a key's 64-bit hash (not the key: an integer compares in one step, and
  // needs no trip to the entry) to its entry; a lookup then checks the key itself. Two keys
  // with one hash cannot both be cached: the later replaces the earlier, which is only a miss.
  struct IdentityHash {
    std::size_t operator()(std::uint64_t h) const { return static_cast<std::size_t>(h); }
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // newest (or spared by eviction) first; eviction works from the back
    std::unordered_map<std::uint64_t, std::list<Entry>::iterator, IdentityHash> index;
    std::size_t bytes = 0;
  };
  static constexpr std::size_t kShards = 32;

  Shard& shard_for(std::uint64_t hash);
  // Removes `node`'s entry. REQUIRES: s.mu is held.
  static void erase(Shard& s, std::list<Entry>::iterator node);

  const std::size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
};
//! [row-cache]

}  // namespace vkv::storage
