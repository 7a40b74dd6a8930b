#include "04-memtable/skiplist_shard.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

namespace vkv::storage {

//! [entry]
// A key's entry: its kind, then (for a value) the value's bytes right after this header,
// all in the arena. A DEL writes an entry too, a tombstone, rather than unlinking the key's
// node: older data on disk (chapter 5 on) may still hold a value that only a newer
// tombstone can hide.
struct SkiplistShard::Entry {
  EntryKind kind;
  std::uint32_t size;  // the value's bytes; 0 for a tombstone

  [[nodiscard]] std::string_view value() const {
    return {reinterpret_cast<const char*>(this + 1), size};
  }
};
//! [entry]

//! [node]
// A key's node: one run of arena bytes holding this header, then `height` links (next[0] is
// the next node in key order, next[1] skips about 4 nodes, next[2] about 16, ...), then the
// key's bytes. Only the links and `entry` change after the node is linked in, always under
// the lock held exclusively.
struct SkiplistShard::Node {
  std::string_view key;  // the bytes after the links
  const Entry* entry;    // the key's current entry; null only in the head
  int height;
  Node** next;           // the links, right after this header
};
//! [node]

SkiplistShard::SkiplistShard(std::uint32_t seed) : rng_(seed) {
  head_ = new_node({}, kMaxHeight, nullptr);
}

// LEARNER: begin SkiplistShard::find_greater_or_equal(): walk right, drop a level, note where to link
//! [search]
// The first node whose key is >= `key`, or null when there is none. If `prev` is given, it
// gets, for each level below height_, the last node before `key` on that level: where a new
// node for `key` would be linked in. Each level is walked right while the next key is
// smaller, then the search drops a level. REQUIRES: mu_ held, shared or exclusive.
SkiplistShard::Node* SkiplistShard::find_greater_or_equal(std::string_view key,
                                                          Node** prev) const {
  Node* node = head_;
  for (int level = height_ - 1; level >= 0; --level) {
    Node* next = node->next[level];
    while (next != nullptr && next->key < key) {  // string_view compares bytes as unsigned
      node = next;
      next = node->next[level];
    }
    if (prev != nullptr) prev[level] = node;
  }
  return node->next[0];
}
//! [search]
// LEARNER: end

// LEARNER: begin SkiplistShard::write(): replace the entry of a key, or link in a node of random height
//! [write]
void SkiplistShard::write(std::string_view key, EntryKind kind, std::string_view value) {
  assert(key.size() < std::numeric_limits<std::uint32_t>::max());
  std::unique_lock lock(mu_);
  const Entry* entry = new_entry(kind, value);
  Node* prev[kMaxHeight];
  Node* node = find_greater_or_equal(key, prev);
  if (node != nullptr && node->key == key) {
    node->entry = entry;  // the old entry stays in the arena: dead bytes, still counted
    return;
  }
  const int height = random_height();
  for (int level = height_; level < height; ++level) prev[level] = head_;
  height_ = std::max(height_, height);
  Node* fresh = new_node(key, height, entry);
  for (int level = 0; level < height; ++level) {
    fresh->next[level] = prev[level]->next[level];
    prev[level]->next[level] = fresh;
  }
  ++entry_count_;
}
//! [write]
// LEARNER: end

// LEARNER: begin SkiplistShard::lookup(): search under a shared lock, copy out a value
std::optional<EntryKind> SkiplistShard::lookup(std::string_view key, std::string* value) const {
  std::shared_lock lock(mu_);
  const Node* node = find_greater_or_equal(key, nullptr);
  if (node == nullptr || node->key != key) return std::nullopt;
  if (node->entry->kind == EntryKind::kValue) value->assign(node->entry->value());
  return node->entry->kind;
}
// LEARNER: end

//! [memory]
// Everything the shard holds lives in its arena, so the arena's figure (every block in
// full, used or not) is the shard's, plus the shard object itself.
std::size_t SkiplistShard::memory_bytes() const {
  return sizeof(SkiplistShard) + arena_.memory_bytes();
}
//! [memory]

std::size_t SkiplistShard::entry_count() const {
  std::shared_lock lock(mu_);
  return entry_count_;
}

// REQUIRES: mu_ held exclusively (or the constructor).
SkiplistShard::Node* SkiplistShard::new_node(std::string_view key, int height,
                                            const Entry* entry) {
  static_assert(sizeof(Node) % alignof(Node*) == 0, "the links follow the header, aligned");
  const std::size_t links_size = sizeof(Node*) * static_cast<std::size_t>(height);
  char* bytes = arena_.allocate_aligned(sizeof(Node) + links_size + key.size());
  auto** links = reinterpret_cast<Node**>(bytes + sizeof(Node));
  std::uninitialized_fill_n(links, height, nullptr);
  char* key_bytes = bytes + sizeof(Node) + links_size;
  if (!key.empty()) std::memcpy(key_bytes, key.data(), key.size());
  return std::construct_at(reinterpret_cast<Node*>(bytes),
                           Node{std::string_view(key_bytes, key.size()), entry, height, links});
}

// REQUIRES: mu_ held exclusively.
const SkiplistShard::Entry* SkiplistShard::new_entry(EntryKind kind, std::string_view value) {
  assert(value.size() < std::numeric_limits<std::uint32_t>::max());
  assert(kind == EntryKind::kValue || value.empty());
  char* bytes = arena_.allocate_aligned(sizeof(Entry) + value.size());
  if (!value.empty()) std::memcpy(bytes + sizeof(Entry), value.data(), value.size());
  return std::construct_at(reinterpret_cast<Entry*>(bytes),
                           Entry{kind, static_cast<std::uint32_t>(value.size())});
}

// A node reaches each next level with probability 1/4: on average 1.33 links per node.
// REQUIRES: mu_ held exclusively.
int SkiplistShard::random_height() {
  int height = 1;
  while (height < kMaxHeight && rng_() % 4 == 0) ++height;
  return height;
}

//! [shard-iterator]
// Walks the bottom level, one node per step. Each step holds the lock shared, just long
// enough to follow a link and read the node's entry; between steps it holds only pointers
// to a node and an entry, which stay valid and unchanged while the shard lives. So it runs
// beside writers: a key linked in ahead of it is seen, one linked in behind it is not.
class SkiplistShard::ShardIterator final : public Iterator {
 public:
  explicit ShardIterator(const SkiplistShard& shard) : shard_(shard) {}

  [[nodiscard]] bool valid() const override { return node_ != nullptr; }
  void seek_to_first() override {
    std::shared_lock lock(shard_.mu_);
    arrive(shard_.head_->next[0]);
  }
  void seek(std::string_view target) override {
    std::shared_lock lock(shard_.mu_);
    arrive(shard_.find_greater_or_equal(target, nullptr));
  }
  void next() override {
    assert(valid());
    std::shared_lock lock(shard_.mu_);
    arrive(node_->next[0]);
  }
  [[nodiscard]] std::string_view key() const override { return node_->key; }
  [[nodiscard]] std::string_view value() const override { return entry_->value(); }
  [[nodiscard]] EntryKind kind() const override { return entry_->kind; }

 private:
  // Reads the node's entry once, on arrival, so that key, value and kind agree however
  // often the key is written while the iterator stays here. REQUIRES: shard_.mu_ held.
  void arrive(const Node* node) {
    node_ = node;
    entry_ = node != nullptr ? node->entry : nullptr;
  }

  const SkiplistShard& shard_;
  const Node* node_ = nullptr;
  const Entry* entry_ = nullptr;
};
//! [shard-iterator]

std::unique_ptr<Iterator> SkiplistShard::new_iterator() const {
  return std::make_unique<ShardIterator>(*this);
}

}  // namespace vkv::storage
