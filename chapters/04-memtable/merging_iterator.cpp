#include "04-memtable/merging_iterator.hpp"

#include <cassert>

namespace vkv::storage {

MergingIterator::MergingIterator(std::vector<std::unique_ptr<Iterator>> children)
    : children_(std::move(children)) {}

void MergingIterator::seek_to_first() {
  for (auto& child : children_) child->seek_to_first();
  find_smallest();
}

void MergingIterator::seek(std::string_view target) {
  for (auto& child : children_) child->seek(target);
  find_smallest();
}

void MergingIterator::next() {
  assert(valid());
  current_->next();
  find_smallest();
}

//! [merge]
// One look at every child's key: k - 1 comparisons an entry for k children. A heap would
// take about log2(k), which matters little for the handful of shards a memtable has.
void MergingIterator::find_smallest() {
  current_ = nullptr;
  for (auto& child : children_) {
    if (child->valid() && (current_ == nullptr || child->key() < current_->key())) {
      current_ = child.get();
    }
  }
}
//! [merge]

Status MergingIterator::status() const {
  for (const auto& child : children_) {
    Status s = child->status();
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace vkv::storage
