#include "08-compaction/newest_wins_heap.hpp"

#include <utility>

namespace vkv::storage {

namespace {

// The heap's order: the smaller key first; on the same key, the newer child (listed first).
template <typename Head>
bool before(const Head& a, const Head& b) {
  const int c = a.key.compare(b.key);
  return c < 0 || (c == 0 && a.child < b.child);
}

}  // namespace

NewestWinsHeap::NewestWinsHeap(std::vector<std::unique_ptr<Iterator>> children)
    : children_(std::move(children)) {
  heap_.reserve(children_.size());
}

void NewestWinsHeap::seek_to_first() {
  for (auto& child : children_) child->seek_to_first();
  rebuild();
}

void NewestWinsHeap::seek(std::string_view target) {
  for (auto& child : children_) child->seek(target);
  rebuild();
}

//! [heap-next]
void NewestWinsHeap::next() {
  // Copied: moving the top child invalidates its key's view.
  key_.assign(heap_.front().key);
  // The children at this key come to the top one after another, newest first; each moves on.
  bool failed = false;
  do {
    if (!advance_top()) failed = true;
  } while (!heap_.empty() && heap_.front().key == key_);
  if (failed) heap_.clear();  // a damaged source: stop rather than skip its entries
}

bool NewestWinsHeap::advance_top() {
  Iterator* child = top();
  child->next();
  const bool failed = !child->valid() && !child->status().is_ok();
  if (child->valid()) {
    heap_.front().key = child->key();
  } else {  // at its end, or failed: the last Head takes its place
    heap_.front() = heap_.back();
    heap_.pop_back();
  }
  if (!heap_.empty()) sift_down(0);
  return !failed;
}

void NewestWinsHeap::sift_down(std::size_t i) {
  const Head moving = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t smallest = 2 * i + 1;  // the left child, if any
    if (smallest >= n) break;
    if (smallest + 1 < n && before(heap_[smallest + 1], heap_[smallest])) ++smallest;
    if (!before(heap_[smallest], moving)) break;
    heap_[i] = heap_[smallest];  // it rises; `moving` goes on down
    i = smallest;
  }
  heap_[i] = moving;
}
//! [heap-next]

void NewestWinsHeap::rebuild() {
  heap_.clear();
  for (std::size_t i = 0; i < children_.size(); ++i) {
    Iterator& child = *children_[i];
    if (child.valid()) {
      heap_.push_back({child.key(), i});
    } else if (!child.status().is_ok()) {
      heap_.clear();
      return;
    }
  }
  for (std::size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
}

Status NewestWinsHeap::status() const {
  for (const auto& child : children_) {
    if (Status s = child->status(); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace vkv::storage
