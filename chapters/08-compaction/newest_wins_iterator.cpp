#include "08-compaction/newest_wins_iterator.hpp"

#include <string>

namespace vkv::storage {

NewestWinsIterator::NewestWinsIterator(std::vector<std::unique_ptr<Iterator>> children)
    : children_(std::move(children)) {}

void NewestWinsIterator::seek_to_first() {
  for (auto& child : children_) child->seek_to_first();
  find_newest_smallest();
}

void NewestWinsIterator::seek(std::string_view target) {
  for (auto& child : children_) child->seek(target);
  find_newest_smallest();
}

// LEARNER: begin NewestWinsIterator::next() and find_newest_smallest(): past every copy of the key; then the smallest key, the first (newest) source on a tie
//! [newest-wins-next]
void NewestWinsIterator::next() {
  // Copied: moving the children below invalidates the current key's view.
  key_.assign(current_->key());
  for (auto& child : children_) {
    if (child->valid() && child->key() == key_) child->next();  // the newest, and overwritten ones
  }
  find_newest_smallest();
}

void NewestWinsIterator::find_newest_smallest() {
  current_ = nullptr;
  for (auto& child : children_) {
    if (!child->status().is_ok()) {  // a damaged source: stop rather than skip its entries
      current_ = nullptr;
      return;
    }
    if (!child->valid()) continue;
    // Strictly smaller: on a tie the earlier (newer) child keeps its place.
    if (current_ == nullptr || child->key() < current_->key()) current_ = child.get();
  }
}
//! [newest-wins-next]
// LEARNER: end

Status NewestWinsIterator::status() const {
  for (const auto& child : children_) {
    if (Status s = child->status(); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace vkv::storage
