/// \file
/// Iterator: one way to walk any sorted source of entries (a memtable, a shard of it, a table).
#pragma once

#include <string_view>

#include "03-wal/entry_kind.hpp"
#include "common/status.hpp"

namespace vkv::storage {

//! [iterator]
/// A cursor over entries sorted by key (bytes compared as unsigned, shortest first on a shared
/// prefix), each key at most once.
///
/// Every sorted source of the store gives one: a memtable's shard, the whole memtable (its
/// shards merged), an SSTable. Whoever reads entries in order (a flush writing a table; later,
/// a merge of tables, a range scan) is written once against this interface.
///
/// A new iterator is positioned nowhere (!valid()): call seek_to_first() or seek() first.
/// key() and value() are views that stay valid at least until the iterator moves; each source
/// says whether longer.
///
/// Thread safety: one iterator is used by one thread at a time; each source says whether its
/// iterators may run beside writers.
class Iterator {
 public:
  virtual ~Iterator() = default;

  /// True while the iterator is at an entry.
  [[nodiscard]] virtual bool valid() const = 0;
  /// Moves to the first entry (!valid() when there is none).
  virtual void seek_to_first() = 0;
  /// Moves to the first entry whose key is >= `target` (!valid() when there is none).
  virtual void seek(std::string_view target) = 0;
  /// Moves to the next entry in key order (!valid() after the last). REQUIRES: valid().
  virtual void next() = 0;

  /// The current key. REQUIRES: valid().
  [[nodiscard]] virtual std::string_view key() const = 0;
  /// The current value; empty for a tombstone. REQUIRES: valid().
  [[nodiscard]] virtual std::string_view value() const = 0;
  /// Whether the current entry is a value or a tombstone. REQUIRES: valid().
  [[nodiscard]] virtual EntryKind kind() const = 0;

  /// Ok, or the error that stopped the iteration (then !valid()). Sources that cannot fail,
  /// such as a memtable, always say ok.
  [[nodiscard]] virtual Status status() const { return Status::ok(); }
};
//! [iterator]

}  // namespace vkv::storage
