/// \file
/// MemtableStore: a Memtable seen through the Store interface.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "04-memtable/memtable.hpp"
#include "02-parsing/store.hpp"

namespace vkv::storage {

/// A Store kept wholly in a Memtable: what the engine can run against before the memtable has
/// a log behind it (chapter 3) or files below it (chapter 5). It passes the same store contract
/// tests as every other Store.
///
/// Nothing here can fail, so set and del always return ok; get returns not-found both for a
/// key never written and for a deleted one (the tombstone matters only to layers below).
class MemtableStore : public Store {
 public:
  /// A store over an empty Memtable with `shards` shards, made by `make_shard` (see
  /// Memtable). REQUIRES: shards >= 1.
  explicit MemtableStore(std::size_t shards = Memtable::kDefaultShards,
                         const MemtableShardFactory& make_shard = {});

  /// Maps `key` to `value`. REQUIRES: !key.empty().
  Status set(std::string_view key, std::string_view value) override;
  /// Copies the value of `key` into `*value`, or returns not-found.
  Status get(std::string_view key, std::string* value) override;
  /// Deletes `key` (writes a tombstone). REQUIRES: !key.empty().
  Status del(std::string_view key) override;

  /// The table underneath, for callers that need more than Store offers (its iterator, its
  /// size).
  [[nodiscard]] const Memtable& memtable() const { return table_; }

 private:
  Memtable table_;
};

}  // namespace vkv::storage
