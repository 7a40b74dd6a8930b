/// \file
/// SkiplistShard: a memtable shard kept as a skiplist sorted by key, in an arena, behind one
/// reader/writer lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "04-memtable/arena.hpp"
#include "04-memtable/memtable_shard.hpp"

namespace vkv::storage {

/// This chapter's MemtableShard: a skiplist sorted by key, every byte of it in an Arena.
///
/// Each key has one node, linked into the skiplist's levels in key order; a node points at
/// the key's current entry (a value or a tombstone), also in the arena. A lookup or a write
/// searches the skiplist from the top level down: O(log n) steps. A write to a key that is
/// there already adds a new entry and points the node at it; the old entry stays in the
/// arena, as dead bytes that memory_bytes() counts, until the shard dies.
///
/// Thread safety: every method may be called from any thread. Writers hold the shard's lock
/// exclusively; lookups, and iterators for each step they take, hold it shared. Nodes and
/// entries are never freed or moved while the shard lives, and a node's key and an entry's
/// bytes never change once written, so an iterator may keep pointing at them between steps.
class SkiplistShard final : public MemtableShard {
 public:
  /// The most levels a node can have. With each level holding about a quarter of the nodes
  /// of the level below, searches stay logarithmic up to about 4^12 = 16 million keys.
  static constexpr int kMaxHeight = 12;

  /// An empty shard; `seed` seeds the coin flips that choose node heights.
  explicit SkiplistShard(std::uint32_t seed = 1);
  SkiplistShard(const SkiplistShard&) = delete;
  SkiplistShard& operator=(const SkiplistShard&) = delete;

  /// Makes the key's entry `kind` with `value`. REQUIRES: see MemtableShard::write.
  void write(std::string_view key, EntryKind kind, std::string_view value) override;
  /// The key's entry, as MemtableShard::lookup says.
  std::optional<EntryKind> lookup(std::string_view key, std::string* value) const override;
  /// The shard object and its arena, every block in full.
  [[nodiscard]] std::size_t memory_bytes() const override;
  /// Keys in the shard, tombstones included.
  [[nodiscard]] std::size_t entry_count() const override;
  /// An iterator that walks the skiplist's bottom level. REQUIRES: the shard outlives it.
  [[nodiscard]] std::unique_ptr<Iterator> new_iterator() const override;

 private:
  struct Entry;
  struct Node;
  class ShardIterator;

  Node* find_greater_or_equal(std::string_view key, Node** prev) const;
  Node* new_node(std::string_view key, int height, const Entry* entry);
  const Entry* new_entry(EntryKind kind, std::string_view value);
  int random_height();

  mutable std::shared_mutex mu_;  // exclusive for writers, shared for readers
  Arena arena_;                   // GUARDED_BY(mu_) for allocation: nodes and entries
  Node* head_;                    // no key, kMaxHeight levels, never an entry itself
  int height_ = 1;                // GUARDED_BY(mu_): the tallest node's height
  std::size_t entry_count_ = 0;   // GUARDED_BY(mu_)
  std::minstd_rand rng_;          // GUARDED_BY(mu_): the coin for node heights
};

}  // namespace vkv::storage
