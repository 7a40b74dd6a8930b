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
/// Least recently used entries go first once the cache holds `capacity_bytes` (keys, values
/// and about 80 bytes of bookkeeping each). Sharded by the key's hash; thread-safe.
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
    std::string key;
    std::string value;
    std::uint64_t epoch = 0;
  };
  struct Shard {
    std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // into lru's keys
    std::size_t bytes = 0;
  };
  static constexpr std::size_t kShards = 32;

  Shard& shard_for(std::string_view key);

  const std::size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0};
};
//! [row-cache]

}  // namespace vkv::storage
