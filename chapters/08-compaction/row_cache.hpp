/// \file
/// RowCache: the values GETs found in the tables, kept in memory until the tables change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <span>
#include <string_view>

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

//! [row-cache]
/// A cache of key/value pairs that a lookup in the tables found, so that a GET of a hot key
/// whose value lives in a table costs a hash lookup instead of a block search.
///
/// **When an entry is true.** What a lookup in the tables finds changes only when a flush adds
/// a table: a compaction moves entries between tables but never changes which value a key
/// has (one that drops dead values, LevelOptions::dead_value, counts as a flush here). So
/// the VersionSet numbers its flushes (the *epoch*), each entry records the epoch it
/// was found in, and a lookup accepts only an entry of its own version's epoch. Nothing is
/// ever invalidated: entries of older epochs simply stop matching, and age out.
///
/// **What it holds.** At most `capacity_bytes`, counting what the entries really take from
/// the heap (key, value, a 24-byte header, the allocator's rounding) and each shard's table
/// of slots. Once full, entries not used since eviction last considered them go first (the
/// CLOCK approximation of least recently used: a hit only sets a flag, it moves nothing).
///
/// **How.** Sharded by the key's hash, each shard under its own mutex; thread-safe. Each shard
/// is one flat table of (hash, entry) slots, and each entry one allocation holding its key
/// and value: a hit costs about two cache misses (the slot, then the entry). Two keys with
/// one 64-bit hash cannot both be cached: the later replaces the earlier, which is only a
/// miss.
class RowCache {
 public:
  /// How keys are hashed: hash_key, except in tests that need two keys with one hash.
  using KeyHash = std::uint64_t (*)(std::string_view key);

  /// A cache of at most `capacity_bytes`; 0 turns it off (every lookup misses).
  explicit RowCache(std::size_t capacity_bytes, KeyHash hash = hash_key);
  ~RowCache();
  RowCache(const RowCache&) = delete;
  RowCache& operator=(const RowCache&) = delete;

  /// The value of `key` found in epoch `epoch`, if cached: true, and `*value` set.
  bool lookup(std::string_view key, std::uint64_t epoch, std::string* value);
  /// Remembers that in epoch `epoch` the tables give `key` the value `value`. An entry larger
  /// than a shard's share of the capacity is not kept.
  void insert(std::string_view key, std::string_view value, std::uint64_t epoch);

  /// A hint that `keys` are about to be looked up: starts loading, for all of them at once,
  /// the slots and then the entries a lookup will read, so that their cache misses overlap
  /// instead of coming one lookup after another. Changes nothing a lookup sees. At most
  /// kPrefetchBatch keys are taken; the rest are ignored.
  void prefetch(std::span<const std::string_view> keys) const;
  /// The most keys one prefetch() takes.
  static constexpr std::size_t kPrefetchBatch = 32;

  /// Drops every entry, giving back their memory (VersionSet::compact_all() does, after a
  /// compaction that may have left most of them stale).
  void clear();

  /// Lookups that found an entry of their epoch.
  [[nodiscard]] std::uint64_t hits() const;
  /// Bytes the cache holds now: its entries and its tables of slots.
  [[nodiscard]] std::size_t bytes() const;

 private:
  class Shard;  // one flat table and its CLOCK hand, under one mutex (row_cache.cpp)
  static constexpr std::size_t kShards = 32;

  Shard& shard_for(std::uint64_t hash) const;

  const std::size_t shard_capacity_;
  const KeyHash hash_;
  std::unique_ptr<Shard[]> shards_;
};
//! [row-cache]

}  // namespace vkv::storage
