/// \file
/// Memtable: the in-memory table of recent writes, sharded by key hash, each shard sorted.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "03-wal/entry_kind.hpp"
#include "04-memtable/iterator.hpp"
#include "04-memtable/memtable_shard.hpp"

namespace vkv::storage {

/// The table that takes every write before it reaches disk.
///
/// Keys are spread over independent shards by a hash of their bytes, so threads working on
/// different shards never wait for each other. Each shard keeps its keys sorted
/// (SkiplistShard, unless a MemtableShardFactory says otherwise); new_iterator() merges the
/// shards back into one key order, which is what chapter 5 writes out as a sorted file. A DEL
/// leaves a tombstone, so that a deleted key can hide older values of it that sit on disk.
///
/// Memory: writing a key again adds a new entry and leaves the old one in place (as dead
/// bytes) until the table is dropped, so memory_bytes() grows with every write, not only
/// with every new key. It counts all of it, since that is memory the process holds, and the
/// next chapter flushes on it.
///
/// Thread safety: every method may be called from any number of threads at once. A write to
/// a key is one atomic step: a reader sees the entry before it or the entry after it, never a
/// mix; and the writes one thread makes to a key are seen by every reader in the order it made
/// them.
class Memtable {
 public:
  /// Shards when the caller does not say: enough that a handful of threads rarely meet on one
  /// shard's lock, few enough that the empty table stays small (each shard costs ~4 KiB).
  static constexpr std::size_t kDefaultShards = 16;

  /// An empty table with `shards` shards, each made by `make_shard` (a SkiplistShard when it
  /// is empty). REQUIRES: shards >= 1 (0 throws std::invalid_argument).
  explicit Memtable(std::size_t shards = kDefaultShards,
                    const MemtableShardFactory& make_shard = {});
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  /// Maps `key` to `value`, replacing any earlier value or tombstone.
  /// REQUIRES: key.size() < 2^32, value.size() < 2^32.
  void set(std::string_view key, std::string_view value);

  /// Writes a tombstone for `key`, whether or not the table has it.
  /// REQUIRES: key.size() < 2^32.
  void del(std::string_view key);

  /// Looks `key` up: nothing when the table has no entry for it (older data may still have
  /// one); EntryKind::kValue with the value copied into `*value`; or EntryKind::kTombstone
  /// (the key was deleted: older data must not be searched), leaving `*value` alone.
  std::optional<EntryKind> lookup(std::string_view key, std::string* value) const;
  /// A hint that `keys` are about to be looked up or written: passed to their shards, in
  /// MemtableShard::kPrefetchPasses passes (MemtableShard::prefetch). At most 32 keys are
  /// taken. Changes nothing.
  void prefetch(std::span<const std::string_view> keys) const;

  /// The bytes the table holds from the heap: its shards, with the dead entries that
  /// overwrites left behind. Within a few percent of what the allocator reports.
  [[nodiscard]] std::size_t memory_bytes() const;

  /// The number of distinct keys in the table, tombstones included.
  [[nodiscard]] std::size_t entry_count() const;

  /// The number of shards.
  [[nodiscard]] std::size_t shard_count() const { return shards_.size(); }

  /// An iterator over every entry of every shard in one ascending key order (bytes compared
  /// as unsigned), positioned nowhere: a MergingIterator over the shards' own iterators, so
  /// nothing is copied.
  ///
  /// Keys, values and tombstones come out as views into the shards; they stay valid until
  /// the Memtable is destroyed. REQUIRES: the Memtable outlives the iterator.
  ///
  /// Chapter 5 freezes a memtable (no more writes) before it flushes it, and then the
  /// iterator sees an exact snapshot. It is also safe while writers run: it then yields each
  /// key at most once, in order, every key present when it was positioned, each with an entry
  /// that was current at some moment while it ran; keys added meanwhile may or may not appear.
  [[nodiscard]] std::unique_ptr<Iterator> new_iterator() const;

 private:
  [[nodiscard]] MemtableShard& shard_for(std::string_view key) const;

  std::vector<std::unique_ptr<MemtableShard>> shards_;
};

}  // namespace vkv::storage
