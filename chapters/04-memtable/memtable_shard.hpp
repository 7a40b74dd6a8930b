/// \file
/// MemtableShard: what one shard of the memtable does, whatever structure it keeps.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "03-wal/entry_kind.hpp"
#include "04-memtable/iterator.hpp"

namespace vkv::storage {

//! [shard-interface]
/// One shard of a Memtable: a sorted map from key to its latest entry, a value or a
/// tombstone. This chapter's implementation is SkiplistShard; the Memtable takes any other
/// through a MemtableShardFactory.
///
/// The contract every implementation keeps (tests/memtable_contract.hpp checks it):
/// - write() replaces the key's entry whole: a reader sees the entry before or after it,
///   never a mix, and one thread's writes to a key are seen in the order it made them.
/// - A tombstone is an entry: lookup() reports it, iterators yield it.
/// - Keys, values and tombstones an iterator yields stay valid until the shard is destroyed,
///   even after the key is written again.
/// - memory_bytes() counts every byte the shard holds from the heap, dead entries included.
/// - Every method may be called from any thread at any time, iterators included: an iterator
///   running beside writers yields keys in order, each at most once, every key present when
///   it was positioned, each with an entry current at some moment while it ran.
class MemtableShard {
 public:
  virtual ~MemtableShard() = default;

  /// Makes `kind` (with `value`, empty for a tombstone) the key's entry.
  /// REQUIRES: key.size() < 2^32 and value.size() < 2^32; value is empty for a tombstone.
  virtual void write(std::string_view key, EntryKind kind, std::string_view value) = 0;
  /// The key's entry: nothing when the shard has none; its kind otherwise, and for a value,
  /// the value copied into `*value` (left alone for a tombstone).
  virtual std::optional<EntryKind> lookup(std::string_view key, std::string* value) const = 0;

  /// Bytes the shard holds from the heap, itself included.
  [[nodiscard]] virtual std::size_t memory_bytes() const = 0;
  /// Keys in the shard, tombstones included.
  [[nodiscard]] virtual std::size_t entry_count() const = 0;
  /// An iterator over the shard's entries, positioned nowhere.
  /// REQUIRES: the shard outlives the iterator.
  [[nodiscard]] virtual std::unique_ptr<Iterator> new_iterator() const = 0;
  /// A hint that `key` (whose hash_key() is `hash`) is about to be looked up or written, so
  /// that a shard may start loading the memory that will take. A batch of keys comes in
  /// kPrefetchPasses passes over them all, `pass` 0 first: each pass may load what the loads
  /// of the pass before lead to (a slot, then the entry it points to), so that the batch's
  /// loads overlap. It changes nothing, and by default it does nothing.
  virtual void prefetch(std::string_view key, std::uint64_t hash, int pass) const {
    (void)key, (void)hash, (void)pass;
  }
  /// The passes of prefetch() over a batch.
  static constexpr int kPrefetchPasses = 3;
};

/// Makes the shard number `index` of a new Memtable (0, 1, ...). An empty factory means this
/// chapter's SkiplistShard.
using MemtableShardFactory = std::function<std::unique_ptr<MemtableShard>(std::size_t index)>;
//! [shard-interface]

}  // namespace vkv::storage
