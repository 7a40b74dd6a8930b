/// \file
/// Memtable: the in-memory table of recent writes, sharded by key hash, each shard sorted.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/memtable_shard.hpp"

namespace vkv::storage {

/// The table that takes every write before it reaches disk.
///
/// Keys are spread over independent shards by a hash of their bytes, so threads working on
/// different shards never wait for each other. Each shard (MemtableShard) keeps its keys in a
/// skiplist sorted by key, plus a hash index for point lookups; scan() merges the shards back
/// into one key order, which is what chapter 5 writes out as a sorted file. A DEL leaves a
/// tombstone, so that a deleted key can hide older values of it that sit on disk.
///
/// Memory: entries live in per-shard arenas. Writing a key again adds a new record and leaves
/// the old one in place (as dead bytes) until the table is dropped, so memory_bytes() grows with
/// every write, not only with every new key. It counts all of it, since that is memory the
/// process holds, and the next chapter flushes on it.
///
/// Thread safety: every method may be called from any number of threads at once. A write to
/// a key is one atomic step: a reader sees the value before it or the value after it, never a
/// mix; and the writes one thread makes to a key are seen by every reader in the order it made
/// them.
class Memtable {
 public:
  /// Shards when the caller does not say: enough that a handful of threads rarely meet on one
  /// shard's lock, few enough that the empty table stays small (each shard costs ~4 KiB).
  static constexpr std::size_t kDefaultShards = 16;

  /// An empty table with `shards` shards. REQUIRES: 1 <= shards < 2^32 (0 throws
  /// std::invalid_argument).
  explicit Memtable(std::size_t shards = kDefaultShards);
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  /// Maps `key` to `value`, replacing any earlier value or tombstone.
  /// REQUIRES: key.size() < 2^32.
  void set(std::string_view key, std::string_view value);

  /// Writes a tombstone for `key`, whether or not the table has it.
  /// REQUIRES: key.size() < 2^32.
  void del(std::string_view key);

  /// Looks `key` up. On kFound, copies the value into `*value`; otherwise leaves it alone.
  LookupResult lookup(std::string_view key, std::string* value) const;

  /// The bytes the table holds from the heap: its shards and their arenas, with the dead
  /// records that overwrites left behind. Within a few percent of what the allocator reports.
  [[nodiscard]] std::size_t memory_bytes() const;

  /// The number of distinct keys in the table, tombstones included.
  [[nodiscard]] std::size_t entry_count() const;

  /// The number of shards.
  [[nodiscard]] std::size_t shard_count() const { return shards_.size(); }

  /// Every entry of every shard in one ascending key order (bytes compared as unsigned), by a
  /// k-way merge of the shards' own sorted iterators: nothing is copied.
  ///
  /// Keys, values and tombstones come out as views into the table's arenas; they stay valid
  /// until the Memtable is destroyed. REQUIRES: the Memtable outlives the iterator.
  ///
  /// Chapter 5 freezes a memtable (no more writes) before it flushes it, and then the scan is
  /// an exact snapshot. It is also safe while writers run: it then yields each key at most
  /// once, in order, every key present when the scan began, each with a value that was current
  /// at some moment during the scan; keys added during the scan may or may not appear.
  class Iterator {
   public:
    /// True while the iterator is at an entry.
    [[nodiscard]] bool valid() const { return !heap_.empty(); }
    /// Moves to the next entry in key order. REQUIRES: valid().
    void next();
    /// The current key. REQUIRES: valid().
    [[nodiscard]] std::string_view key() const { return heap_.front().key(); }
    /// The current value; empty for a tombstone. REQUIRES: valid().
    [[nodiscard]] std::string_view value() const { return heap_.front().value(); }
    /// True when the current entry is a tombstone. REQUIRES: valid().
    [[nodiscard]] bool is_tombstone() const { return heap_.front().is_tombstone(); }

   private:
    friend class Memtable;
    explicit Iterator(const std::vector<std::unique_ptr<MemtableShard>>& shards);

    // A min-heap (by current key) of the shards' iterators that still have entries; the front
    // is the smallest key of all. Keys never tie: each key lives in exactly one shard.
    std::vector<MemtableShard::Iterator> heap_;
  };

  /// An iterator at the smallest key in the table (invalid when the table is empty).
  [[nodiscard]] Iterator scan() const { return Iterator(shards_); }

 private:
  MemtableShard& shard_for(std::uint64_t hash) const;

  std::vector<std::unique_ptr<MemtableShard>> shards_;
  // The sum of the shards' memory_bytes(), kept by the shards themselves as it changes (once
  // per arena block or index growth): the store asks on every write whether the table is
  // full, and one load here replaces three per shard. On a cache line of its own, since it
  // is read so often and written so rarely.
  alignas(64) std::atomic<std::size_t> shard_bytes_{0};
};

}  // namespace vkv::storage
