/// \file
/// NewestWinsIterator: one sorted iterator over sources that may share keys, newest first.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "04-memtable/iterator.hpp"

namespace vkv::storage {

//! [newest-wins]
/// Yields the entries of all its children in key order, each key once: where several
/// children have the key, the entry of the child given first, which the caller puts first
/// because it is the newest (a memtable before the tables, level 0's newest table before
/// its older ones, a level before the one below it). The other entries of that key are
/// skipped: they were overwritten. Tombstones are yielded like values; whoever reads the
/// entries decides what to do with them.
///
/// Chapter 4's MergingIterator merges sources that never share a key; this one is for the
/// sources of an LSM tree, which do. Each step looks at every child (cost: the number of
/// children): cheap for a scan's page of a few hundred steps. A compaction's millions of
/// steps go through NewestWinsHeap, the same merge with a heap.
///
/// status() is the first child's error, if any; an iterator whose child failed stops.
class NewestWinsIterator final : public Iterator {
 public:
  /// Over `children`, newest first; positioned nowhere.
  explicit NewestWinsIterator(std::vector<std::unique_ptr<Iterator>> children);

  [[nodiscard]] bool valid() const override { return current_ != nullptr; }
  void seek_to_first() override;
  void seek(std::string_view target) override;
  /// Moves every child at the current key past it.
  void next() override;
  [[nodiscard]] std::string_view key() const override { return current_->key(); }
  [[nodiscard]] std::string_view value() const override { return current_->value(); }
  [[nodiscard]] EntryKind kind() const override { return current_->kind(); }
  [[nodiscard]] Status status() const override;

 private:
  // Points current_ at the first child with the smallest key (null at the end, or when a
  // child failed).
  void find_newest_smallest();

  std::vector<std::unique_ptr<Iterator>> children_;
  Iterator* current_ = nullptr;
  std::string key_;  // next()'s copy of the current key (kept: no allocation per step)
};
//! [newest-wins]

}  // namespace vkv::storage
