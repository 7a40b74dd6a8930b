/// \file
/// MemtableShard: one part of the memtable: a skiplist sorted by key for scans, a hash index
/// for point lookups, every byte of both entries and nodes in an arena.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/arena.hpp"

namespace vkv::storage {

/// What a lookup found for a key.
enum class LookupResult {
  kFound,    ///< The key has a value; it was copied out.
  kDeleted,  ///< The key's latest write is a DEL: a tombstone, which hides older values on disk.
  kAbsent,   ///< This table knows nothing of the key; older data may still have it.
};

/// One shard of the memtable.
///
/// Each key has one node in the shard's Arena, holding the key and an atomic pointer to its
/// current value record (a value or a tombstone), also in the arena. Two structures point at
/// the nodes: an open-addressing hash index (for SET, GET and DEL, which then cost a couple of
/// cache misses rather than a dozen or more), and a skiplist that keeps them in key order (for
/// scans, which the next chapter writes out as a sorted file). Writes keep the index; the order
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
class alignas(64) MemtableShard {  // aligned so that two shards' locks never share a cache line
  struct Node;  // a key's node in the arena; laid out in memtable_shard.cpp

 public:
  /// The most levels a skiplist node can have. With a branching factor of 4 that keeps
  /// inserts logarithmic up to about 4^12 = 16 million keys per shard.
  static constexpr int kMaxHeight = 12;
  /// The index grows (doubles) when more than this fraction of its slots are used. Linear
  /// probing stays short below it: about 2.5 slots per lookup of a present key at worst.
  static constexpr double kMaxIndexLoad = 0.75;

  /// An empty shard; `seed` seeds the coin flips that choose node heights. If `also_count` is
  /// given, every change of memory_bytes() is added to it too (the Memtable's total).
  /// REQUIRES: `*also_count` outlives the shard.
  explicit MemtableShard(std::uint64_t seed, std::atomic<std::size_t>* also_count = nullptr);
  MemtableShard(const MemtableShard&) = delete;
  MemtableShard& operator=(const MemtableShard&) = delete;

  /// Maps `key` to `value`. REQUIRES: hash == hash_key(key); key.size() < 2^32.
  void set(std::string_view key, std::uint64_t hash, std::string_view value);
  /// Writes a tombstone for `key`. REQUIRES: hash == hash_key(key); key.size() < 2^32.
  void del(std::string_view key, std::uint64_t hash);
  /// Looks `key` up; on kFound copies its value into `*value`. REQUIRES: hash == hash_key(key).
  LookupResult lookup(std::string_view key, std::uint64_t hash, std::string* value) const;

  /// Bytes this shard holds: the shard object, its index and its arena, dead records included.
  [[nodiscard]] std::size_t memory_bytes() const;
  /// Keys in this shard, tombstones included.
  [[nodiscard]] std::size_t entry_count() const {
    return entry_count_.load(std::memory_order_relaxed);
  }

  /// Walks the shard's entries in key order. The views it returns point into the arena and
  /// stay valid until the shard is destroyed, even after the key is written again.
  ///
  /// Safe while writers run: it sees every entry that was there when it started, may or may
  /// not see one added after, and for each key the value that was current when it got there.
  /// Making one first links the keys added since the last scan into the skiplist: O(k log k)
  /// for k such keys, plus their searches.
  class Iterator {
   public:
    /// An iterator at the shard's first entry (or invalid when the shard is empty).
    explicit Iterator(const MemtableShard& shard);
    /// True while the iterator is at an entry.
    [[nodiscard]] bool valid() const { return node_ != nullptr; }
    /// Moves to the next entry in key order. REQUIRES: valid().
    void next();
    /// The current key. REQUIRES: valid().
    [[nodiscard]] std::string_view key() const;
    /// The current value; empty for a tombstone. REQUIRES: valid().
    [[nodiscard]] std::string_view value() const;
    /// True when the current entry is a tombstone. REQUIRES: valid().
    [[nodiscard]] bool is_tombstone() const;

   private:
    void load_record();

    const Node* node_;
    const char* record_ = nullptr;  // the record read once on arrival, so key and value agree
  };

 private:
  void write(std::string_view key, std::uint64_t hash, std::string_view value, bool tombstone);
  void add_new_key(std::string_view key, std::uint64_t hash, const char* record);
  void link_pending() const;
  void link(Node* fresh) const;
  void find_predecessors(std::string_view key, Node** prev) const;
  Node* find_in_index(std::string_view key, std::uint64_t hash) const;
  void add_to_index(Node* node, std::uint64_t hash);
  void place_in_index(Node* node, std::uint64_t hash);
  static std::uint8_t index_tag(std::uint64_t hash);
  void grow_index();
  Node* new_node(std::string_view key, int height);
  const char* new_record(std::string_view value, bool tombstone);
  int random_height();

  std::atomic<std::size_t>* const also_count_;  // the owner's total, or null
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
  // The index's and tags' bytes, for memory_bytes(): on a line of its own, like the arenas'
  // counts, since it is read on every write and changed only when the index grows.
  alignas(64) std::atomic<std::size_t> index_bytes_{0};
};

}  // namespace vkv::storage
