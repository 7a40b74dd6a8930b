/// \file
/// NewestWinsHeap: NewestWinsIterator's contract, with a heap, for merges of many sources.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/iterator.hpp"

namespace vkv::storage {

//! [newest-wins-heap]
/// Yields what NewestWinsIterator yields over the same children (each key once, the entry
/// of the first child that has it; a damaged child stops it with that child's error), at a
/// lower cost per step when there are many children.
///
/// NewestWinsIterator looks at every child at every step. This keeps the children that are
/// at an entry in a binary min-heap ordered by (key, child's place in the list), with each
/// child's current key kept beside it, so that a step looks only at the children at the
/// current key and puts each back in at most 2 log2(children) comparisons. The heap's top is
/// the smallest key and, among children at that key, the newest.
///
/// Invariant: until a child fails, heap_ holds exactly the children that are valid, each
/// Head's key a view of its child's current key (a child moves only while its Head is at the
/// top, and its Head is updated or dropped before the next comparison); once one fails,
/// heap_ is empty.
class NewestWinsHeap final : public Iterator {
 public:
  /// Over `children`, newest first; positioned nowhere.
  explicit NewestWinsHeap(std::vector<std::unique_ptr<Iterator>> children);

  [[nodiscard]] bool valid() const override { return !heap_.empty(); }
  void seek_to_first() override;
  void seek(std::string_view target) override;
  /// Moves every child at the current key past it.
  void next() override;
  [[nodiscard]] std::string_view key() const override { return heap_.front().key; }
  [[nodiscard]] std::string_view value() const override { return top()->value(); }
  [[nodiscard]] EntryKind kind() const override { return top()->kind(); }
  [[nodiscard]] Status status() const override;

 private:
  struct Head {
    std::string_view key;  // the child's current key
    std::size_t child;     // its place in children_: smaller is newer
  };

  [[nodiscard]] Iterator* top() const { return children_[heap_.front().child].get(); }
  // Builds the heap from the children where they now stand; empty if one has failed.
  void rebuild();
  // Moves the top child past its entry and puts it back in its place, or drops it at its end
  // or on an error; false if it failed.
  bool advance_top();
  // Lets heap_[i] sink below the smaller of its children until the heap is ordered again.
  void sift_down(std::size_t i);

  std::vector<std::unique_ptr<Iterator>> children_;
  std::vector<Head> heap_;
  std::string key_;  // next()'s copy of the current key (kept: no allocation per step)
};
//! [newest-wins-heap]

}  // namespace vkv::storage
