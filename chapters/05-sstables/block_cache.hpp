/// \file
/// BlockCache: the parsed data blocks that GETs read recently, shared by a store's tables.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "05-sstables/block.hpp"

namespace vkv::storage {

//! [block-cache-constants]
/// Shards of a BlockCache, each with its own lock and its own share of the capacity, so two
/// readers rarely wait for each other. A block's shard is picked by a hash of its key.
inline constexpr std::size_t kBlockCacheShards = 16;
/// What a cached block is charged beyond its bytes: the Block itself, its place in the LRU
/// list and in the hash table (about what those cost in libstdc++).
inline constexpr std::size_t kBlockCacheEntryOverhead = 128;
//! [block-cache-constants]

/// An LRU cache of parsed, checksum-verified data blocks, keyed by (table, offset), that
/// holds at most `capacity_bytes` of them.
///
/// A block is checked (CRC32C, restart array) once, when it is read from disk, before it is
/// inserted; a hit hands out the same immutable Block (a shared_ptr), with no read and no
/// check. A reader that still holds a block keeps it alive after the cache evicts it.
///
/// The capacity is split evenly over kBlockCacheShards shards, each an LRU list under its own
/// mutex; a full shard evicts its least recently used blocks. A block bigger than its shard's
/// share is not cached. Blocks of a table that is gone are never looked up again and simply
/// age out. With a capacity of 0 nothing is cached, but lookups are still counted.
///
/// Thread-safe: every method may be called from any thread.
class BlockCache {
 public:
  /// Which block: the table's file number and the block's offset in the file.
  struct Key {
    std::uint64_t table = 0;   ///< The table's file number ("000007.sst" is 7).
    std::uint64_t offset = 0;  ///< The block's offset in the file.
    /// Same table, same offset.
    friend bool operator==(const Key&, const Key&) = default;
  };

  /// What the cache has done since it was made, and what it holds now.
  struct Stats {
    std::uint64_t hits = 0;       ///< Lookups that found the block.
    std::uint64_t misses = 0;     ///< Lookups that did not (the caller then reads the block).
    std::uint64_t evictions = 0;  ///< Blocks pushed out to make room.
    std::size_t blocks = 0;       ///< Blocks held now.
    std::size_t bytes = 0;        ///< Bytes charged for them now (see charge()).
  };

  /// A cache of at most `capacity_bytes`, in `shards` shards (tests use 1 to see one LRU
  /// order). A capacity of 0 is no cache: every lookup is a miss, counted, with no lock taken
  /// and no hash computed, and insert() keeps nothing. REQUIRES: shards >= 1.
  explicit BlockCache(std::size_t capacity_bytes, std::size_t shards = kBlockCacheShards);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  /// The block cached under `key`, now the most recently used, or null (a miss).
  [[nodiscard]] std::shared_ptr<const Block> lookup(const Key& key);
  /// Caches `block` under `key` (replacing what was there) as the most recently used, then
  /// evicts the least recently used until the shard fits. REQUIRES: block != nullptr, and it
  /// passed its checksum.
  void insert(const Key& key, std::shared_ptr<const Block> block);

  /// Drops every block (a store whose tables have all been rewritten has no use for them).
  /// A block a reader still holds lives until the reader lets it go.
  void clear();

  /// Hits, misses, evictions and what is held, summed over the shards.
  [[nodiscard]] Stats stats() const;
  /// The capacity given to the constructor.
  [[nodiscard]] std::size_t capacity_bytes() const { return capacity_; }
  /// The bytes a block is charged: its size plus kBlockCacheEntryOverhead.
  [[nodiscard]] static std::size_t charge(const Block& block) {
    return block.size() + kBlockCacheEntryOverhead;
  }

 private:
  class Shard;  // one LRU list, its index and its lock; in the .cpp

  Shard& shard_for(const Key& key) const;

  std::size_t capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> uncached_misses_{0};  // lookups with capacity 0
};

}  // namespace vkv::storage
