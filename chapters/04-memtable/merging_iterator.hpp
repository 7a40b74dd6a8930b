/// \file
/// MergingIterator: one sorted iterator over several sorted iterators whose keys never tie.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "04-memtable/iterator.hpp"

namespace vkv::storage {

/// Yields the entries of all its children in one key order: at each step, the child at the
/// smallest key. The Memtable merges its shards with it.
///
/// REQUIRES: no key is in two children (true of shards: each key has one). status() is the
/// first child's error, if any. Thread safety: as for one Iterator, and each child's own.
class MergingIterator final : public Iterator {
 public:
  /// An iterator over `children`, positioned nowhere.
  explicit MergingIterator(std::vector<std::unique_ptr<Iterator>> children);

  /// True while some child is at an entry.
  [[nodiscard]] bool valid() const override { return current_ != nullptr; }
  /// Moves every child to its first entry.
  void seek_to_first() override;
  /// Moves every child to its first entry >= `target`.
  void seek(std::string_view target) override;
  /// Moves the child at the current entry on. REQUIRES: valid().
  void next() override;
  /// The current key. REQUIRES: valid().
  [[nodiscard]] std::string_view key() const override { return current_->key(); }
  /// The current value. REQUIRES: valid().
  [[nodiscard]] std::string_view value() const override { return current_->value(); }
  /// The current kind. REQUIRES: valid().
  [[nodiscard]] EntryKind kind() const override { return current_->kind(); }
  /// Ok, or the first child's error.
  [[nodiscard]] Status status() const override;

 private:
  void find_smallest();

  std::vector<std::unique_ptr<Iterator>> children_;
  Iterator* current_ = nullptr;  // the child at the smallest key, or null
};

}  // namespace vkv::storage
