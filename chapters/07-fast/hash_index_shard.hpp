/// \file
/// HashIndexShard: a memtable shard with a hash index for point lookups and a skiplist sorted
/// on demand for scans, its nodes and entries in two arenas.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/arena.hpp"
#include "04-memtable/memtable_shard.hpp"
#include "common/published_slots.hpp"

namespace vkv::storage {

/// Chapter 7's MemtableShard, a drop-in for chapter 4's SkiplistShard with the same
/// contract (the same test suite runs against both), faster at what a server does most.
///
/// Each key has one node in the shard's Arena, holding the key and an atomic pointer to its
/// current value record (a value or a tombstone), also in the arena. Two structures point at
/// the nodes: an open-addressing hash index (for SET, GET and DEL, which then cost a couple of
/// cache misses rather than a dozen or more), and a skiplist that keeps them in key order (for
/// scans, such as a flush writing the table out as a sorted file). Writes keep the index; the order
/// is kept on demand: a new key waits, unlinked, and a scan first sorts the keys waiting and
/// links them into the skiplist.
///
/// A SET or DEL of a known key writes a new record and swings the node's pointer to it. The old
/// record stays in the arena, as dead bytes that memory_bytes() counts, until the shard dies.
///
/// Thread safety: every method may be called from any thread. Writers hold the shard's lock
/// exclusively and lookups hold it shared. A scan takes that lock only to take the waiting keys
/// over, and links them in under a lock of its own, so one scan links at a time while
/// writers and lookups go on. Walking the skiplist takes no lock: a node or a record is filled
/// in completely before a release store publishes it, and the scan loads with acquire, so it
/// sees the old record or the new one, never a torn mix; nothing is unlinked or freed while the
/// shard lives, so it cannot hold a dangling pointer.
class alignas(64) HashIndexShard final : public MemtableShard {  // two shards' locks never
                                                                  // share a cache line
  struct Node;  // a key's node in the arena; laid out in hash_index_shard.cpp
  class ShardIterator;

 public:
  /// The most levels a skiplist node can have. With a branching factor of 4 that keeps
  /// inserts logarithmic up to about 4^12 = 16 million keys per shard.
  static constexpr int kMaxHeight = 12;
  /// The index grows (doubles) when more than this fraction of its slots are used. Linear
  /// probing stays short below it: about 2.5 slots per lookup of a present key at worst.
  static constexpr double kMaxIndexLoad = 0.75;

  /// An empty shard; `seed` seeds the coin flips that choose node heights.
  explicit HashIndexShard(std::uint64_t seed);
  HashIndexShard(const HashIndexShard&) = delete;
  HashIndexShard& operator=(const HashIndexShard&) = delete;

  /// A factory for Memtable and LsmStoreOptions::memtable_shards: HashIndexShards, seeded
  /// by their index.
  static MemtableShardFactory factory();

  /// Makes the key's entry `kind` with `value`. REQUIRES: see MemtableShard::write.
  void write(std::string_view key, EntryKind kind, std::string_view value) override;
  /// The key's entry, as MemtableShard::lookup says: found through the index.
  std::optional<EntryKind> lookup(std::string_view key, std::string* value) const override;

  /// Bytes this shard holds: the shard object, its index and its arenas, dead records
  /// included.
  [[nodiscard]] std::size_t memory_bytes() const override;
  /// Keys in this shard, tombstones included.
  [[nodiscard]] std::size_t entry_count() const override {
    return entry_count_.load(std::memory_order_relaxed);
  }

  /// An iterator over the shard's entries in key order. Positioning it (seek_to_first(),
  /// seek()) first links the keys added since the last positioning into the skiplist:
  /// O(k log k) for k such keys, plus their searches. Walking takes no lock. Safe while
  /// writers run, as the MemtableShard contract says. REQUIRES: the shard outlives it.
  [[nodiscard]] std::unique_ptr<Iterator> new_iterator() const override;
  /// Pass 0 loads the key's home slot and its tag, taking no lock; pass 1 the node of the
  /// slot whose tag matches, pass 2 that node's record (each under the shared lock).
  void prefetch(std::string_view key, std::uint64_t hash, int pass) const override;

 private:
  void add_new_key(std::string_view key, std::uint64_t hash, const char* record);
  void link_pending_locked() const;
  void link(Node* fresh) const;
  void find_predecessors(std::string_view key, Node** prev) const;
  Node* find_in_index(std::string_view key, std::uint64_t hash) const;
  void add_to_index(Node* node, std::uint64_t hash);
  void place_in_index(Node* node, std::uint64_t hash);
  static std::uint8_t index_tag(std::uint64_t hash);
  void grow_index();
  Node* new_node(std::string_view key, int height);
  const char* new_record(EntryKind kind, std::string_view value);
  int random_height();

  mutable std::shared_mutex mu_;  // exclusive for writers, shared for lookups; scans skip it
  Arena node_arena_;              // GUARDED_BY(mu_) for allocation: the skiplist's nodes
  Arena arena_;                   // GUARDED_BY(mu_) for allocation: the value records
  Node* head_;                    // a node with no key and kMaxHeight levels, never an entry
  std::vector<Node*> index_;      // GUARDED_BY(mu_): open addressing, a power-of-two size
  std::vector<std::uint8_t> tags_;  // GUARDED_BY(mu_): each slot's tag, 0 for an empty one
  // The skiplist's order is brought up to date by scans, which are const: these are the state
  // of that bookkeeping, not of the entries, hence mutable.
  mutable Node* pending_ = nullptr;  // GUARDED_BY(mu_): new keys not yet in the skiplist,
                                     // chained through their level-0 links, newest first
  mutable std::mutex link_mu_;          // one linker at a time
  mutable int max_height_ = 1;  // GUARDED_BY(link_mu_): the tallest linked node's height
  std::atomic<std::size_t> entry_count_{0};
  std::uint64_t rng_;             // GUARDED_BY(mu_)
  // The index's and tags' bytes, for memory_bytes(): on a line of its own, since it is read
  // on every write (is the memtable full?) and changed only when the index grows.
  alignas(64) std::atomic<std::size_t> index_bytes_{0};
  // Where the index and the tags are, for prefetch(), which takes no lock: republished by
  // every grow_index().
  PublishedSlots<Node*> published_index_;
  PublishedSlots<std::uint8_t> published_tags_;
};

}  // namespace vkv::storage
