#include "07-fast/hash_index_shard.hpp"

#include "common/coding.hpp"
#include "04-memtable/key_hash.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

namespace vkv::storage {

// A node is one aligned run of arena bytes:
//
//   [record: 8][key_size: 4][height: 4][next[0] ... next[height-1]: 8 each][key bytes]
//
// so a search that lands on a node finds the key a few bytes further on, usually in the same
// cache line. Only `record` and the `next` pointers change after the node is published, and
// they are atomics; everything else is written once, before a release store links the node in.
struct HashIndexShard::Node {
  Node(std::uint32_t size, std::uint32_t levels) : key_size(size), height(levels) {}

  std::atomic<const char*> record{nullptr};  // the current value record (see new_record)
  const std::uint32_t key_size;
  const std::uint32_t height;

  std::atomic<Node*>* links() { return reinterpret_cast<std::atomic<Node*>*>(this + 1); }
  const std::atomic<Node*>* links() const {
    return reinterpret_cast<const std::atomic<Node*>*>(this + 1);
  }
  // A reader follows a link with acquire, so the node it reaches is fully written.
  Node* next(int level) const { return links()[level].load(std::memory_order_acquire); }
  // A writer links a finished node in with release.
  void set_next(int level, Node* node) { links()[level].store(node, std::memory_order_release); }
  std::string_view key() const {
    return {reinterpret_cast<const char*>(links() + height), key_size};
  }
  char* key_bytes() { return reinterpret_cast<char*>(links() + height); }

  static std::size_t size_for(std::uint32_t height, std::size_t key_size) {
    return sizeof(Node) + height * sizeof(std::atomic<Node*>) + key_size;
  }
};

namespace {

// LEARNER: begin key_less(): byte order eight bytes at a time
//! [key-less]
// a < b in unsigned byte order, as std::string_view's operator< orders them, but eight bytes
// at a time and inline. A skiplist search compares a key with a dozen nodes' keys; the call
// into memcmp and its length checks cost as much as the comparing itself, and keys often
// share a long prefix ("user:0000...") that a word compare passes in a step or two.
bool key_less(std::string_view a, std::string_view b) {
  const std::size_t common = std::min(a.size(), b.size());
  std::size_t i = 0;
  for (; i + 8 <= common; i += 8) {
    std::uint64_t x;
    std::uint64_t y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    // Big-endian, the first byte is the most significant: integer order is byte order.
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  for (; i < common; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}
//! [key-less]
// LEARNER: end

// A value record is [kind: 1 byte][length: varint][value bytes]; a tombstone is the kind byte
// (EntryKind's) alone.
struct DecodedRecord {
  EntryKind kind;
  std::string_view value;
};

// The record was written by new_record(), so its varint is well formed and ends inside it:
// the view handed to get_varint64 may reach past the record, but no byte past it is read.
DecodedRecord decode_record(const char* record) {
  const auto kind = static_cast<EntryKind>(record[0]);
  if (kind == EntryKind::kTombstone) return {kind, {}};
  std::string_view rest(record + 1, kMaxVarint64Bytes);
  std::uint64_t length = 0;
  const bool ok = get_varint64(&rest, &length);
  assert(ok);
  (void)ok;
  return {kind, std::string_view(rest.data(), length)};
}

}  // namespace

HashIndexShard::HashIndexShard(std::uint64_t seed) : rng_(seed | 1) {
  head_ = new_node({}, kMaxHeight);
}

MemtableShardFactory HashIndexShard::factory() {
  return [](std::size_t index) { return std::make_unique<HashIndexShard>(mix64(index + 1)); };
}

// The one write path. A known key gets a new record, published by one release store, so a
// reader sees the old value or the new one. A new key gets a node, a slot in the index (so
// lookups find it at once) and a place in the pending chain (so the next scan puts it in the
// skiplist). The key's hash is computed again here (the Memtable computed it to pick the
// shard): a few nanoseconds for a short key, and the shard interface stays chapter 4's.
void HashIndexShard::write(std::string_view key, EntryKind kind, std::string_view value) {
  assert(key.size() <= std::numeric_limits<std::uint32_t>::max());
  const std::uint64_t hash = hash_key(key);
  std::unique_lock lock(mu_);
  Node* node = find_in_index(key, hash);
  if (node == nullptr) {
    add_new_key(key, hash, new_record(kind, value));
    return;
  }
  const char* old = node->record.load(std::memory_order_relaxed);
  if (kind == EntryKind::kTombstone && decode_record(old).kind == kind) {
    return;  // already deleted: nothing to add
  }
  node->record.store(new_record(kind, value), std::memory_order_release);
}

// LEARNER: begin HashIndexShard::add_new_key(): a whole node, in the index at once, in the pending chain for the next scan
//! [new-key]
// A new key's node is made whole here, its height drawn, but it is not linked into the
// skiplist: that search is a dozen cache misses, and only a scan needs the order. The node
// waits in the pending chain for the next scan (link_pending_locked). The chain costs no
// memory: it runs through the nodes' own level-0 links, unused until a node is linked, and no
// scan can reach a node before then.
void HashIndexShard::add_new_key(std::string_view key, std::uint64_t hash, const char* record) {
  Node* fresh = new_node(key, random_height());
  fresh->record.store(record, std::memory_order_relaxed);  // published by the lock's release
  add_to_index(fresh, hash);
  fresh->links()[0].store(pending_, std::memory_order_relaxed);
  pending_ = fresh;
  entry_count_.fetch_add(1, std::memory_order_relaxed);
}
//! [new-key]
// LEARNER: end

// LEARNER: begin HashIndexShard::link_pending_locked(), link() and find_predecessors(): sort the pending keys, link each bottom-up
//! [skiplist-link]
// Puts the keys written since the last scan into the skiplist. It takes the writers' lock only
// to detach the pending chain (writers and lookups go on meanwhile: they never read the
// links), sorts the chain's nodes, and links each in, in key order, so that consecutive
// searches walk the same, cached path. One linker at a time: the links and max_height_ are
// link_mu_'s. The sort's array of pointers lives for this call only.
// REQUIRES: link_mu_ held.
void HashIndexShard::link_pending_locked() const {
  Node* chain;
  {
    std::unique_lock lock(mu_);
    chain = pending_;
    pending_ = nullptr;
  }
  std::vector<Node*> batch;
  for (Node* node = chain; node != nullptr;
       node = node->links()[0].load(std::memory_order_relaxed)) {
    batch.push_back(node);
  }
  std::sort(batch.begin(), batch.end(),
            [](const Node* a, const Node* b) { return key_less(a->key(), b->key()); });
  for (Node* node : batch) link(node);
}

// Links `fresh` into every level of its height, bottom-up: once it is reachable at level 0 it
// is in the shard's order, and the upper levels only make it faster to find. A scan walking
// level 0 meanwhile sees it whole or not at all. REQUIRES: link_mu_ held; fresh is unlinked.
void HashIndexShard::link(Node* fresh) const {
  Node* prev[kMaxHeight];
  find_predecessors(fresh->key(), prev);
  const int height = static_cast<int>(fresh->height);
  for (int level = max_height_; level < height; ++level) prev[level] = head_;
  max_height_ = std::max(max_height_, height);
  for (int level = 0; level < height; ++level) {
    fresh->links()[level].store(prev[level]->links()[level].load(std::memory_order_relaxed),
                                std::memory_order_relaxed);
    prev[level]->set_next(level, fresh);
  }
}

// Fills prev[level], for each level below the current height, with the last node whose key
// is less than `key`: where a new node for `key` is linked in. REQUIRES: link_mu_ held.
void HashIndexShard::find_predecessors(std::string_view key, Node** prev) const {
  Node* node = head_;
  for (int level = max_height_ - 1; level >= 0; --level) {
    for (Node* next = node->next(level); next != nullptr && key_less(next->key(), key);
         next = node->next(level)) {
      node = next;  // still before `key`: go right
    }
    prev[level] = node;  // overshot (or reached the end) on this level: go down
  }
}
//! [skiplist-link]
// LEARNER: end

std::optional<EntryKind> HashIndexShard::lookup(std::string_view key, std::string* value) const {
  const std::uint64_t hash = hash_key(key);
  std::shared_lock lock(mu_);
  const Node* node = find_in_index(key, hash);
  if (node == nullptr) return std::nullopt;
  const DecodedRecord record = decode_record(node->record.load(std::memory_order_acquire));
  if (record.kind == EntryKind::kValue) value->assign(record.value);
  return record.kind;
}

// LEARNER: begin HashIndexShard's index: a tag per slot, linear probing from the hash, doubling past the load limit
//! [hash-index]
// Open addressing with linear probing: a key's slot is its hash masked to the index size, or
// the first free slot after it. Keys are never removed (a DEL is a record, not a removal),
// so an empty slot always ends a search.
//
// Each slot also has a one-byte tag, eight other bits of the key's hash (never 0, which marks
// an empty slot), in an array of its own: 1 byte a slot where the pointers take 8. A probe
// reads the tag first and follows the pointer only when the tags match. Without the tags
// every slot passed would cost a cache miss on a node somewhere in the arena just to compare
// its key, and a search for a key that is not there (every new key's) passes several slots:
// about 8 at the highest load. With them it reads a few bytes in a row and, 254 times in
// 255, touches no node but the right one.
std::uint8_t HashIndexShard::index_tag(std::uint64_t hash) {
  const auto tag = static_cast<std::uint8_t>(hash >> 24);  // not the slot's bits nor the shard's
  return tag == 0 ? 1 : tag;
}

// REQUIRES: mu_ held, shared or exclusive.
HashIndexShard::Node* HashIndexShard::find_in_index(std::string_view key,
                                                    std::uint64_t hash) const {
  if (index_.empty()) return nullptr;
  const std::size_t mask = index_.size() - 1;
  const std::uint8_t tag = index_tag(hash);
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    if (tags_[i] == 0) return nullptr;  // an empty slot: the key is not here
    if (tags_[i] == tag && index_[i]->key() == key) return index_[i];
  }
}

// REQUIRES: mu_ held exclusively; the key is not in the index.
void HashIndexShard::add_to_index(Node* node, std::uint64_t hash) {
  if (static_cast<double>(entry_count() + 1) > kMaxIndexLoad * static_cast<double>(index_.size())) {
    grow_index();
  }
  place_in_index(node, hash);
}

// Puts `node` in the first free slot from its hash's. REQUIRES: mu_ held exclusively; a
// free slot exists.
void HashIndexShard::place_in_index(Node* node, std::uint64_t hash) {
  const std::size_t mask = index_.size() - 1;
  std::size_t i = hash & mask;
  while (tags_[i] != 0) i = (i + 1) & mask;
  index_[i] = node;
  tags_[i] = index_tag(hash);
}

// Doubles the index and puts every node back (each key's hash is computed again: keeping it
// would cost 8 bytes a key for something done log2(n) times).
void HashIndexShard::grow_index() {
  std::vector<Node*> old = std::move(index_);
  const std::size_t size = old.empty() ? 16 : old.size() * 2;
  index_.assign(size, nullptr);
  tags_.assign(size, 0);
  index_bytes_.store(index_.capacity() * sizeof(Node*) + tags_.capacity(),
                     std::memory_order_relaxed);
  // Where the arrays are now, for prefetch(), which loads from them without the lock.
  published_index_.publish(index_.data(), size);
  published_tags_.publish(tags_.data(), size);
  // Every node's key is read to hash it again, a cache miss each in a large shard; asking
  // for the node a few slots ahead while placing this one lets those misses overlap, where
  // one after another they would stall the writer (and every client waiting on it) for
  // about a millisecond at the last doublings.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (i + kAhead < old.size() && old[i + kAhead] != nullptr) {
      __builtin_prefetch(old[i + kAhead]);
    }
    if (old[i] != nullptr) place_in_index(old[i], hash_key(old[i]->key()));
  }
}
//! [hash-index]
// LEARNER: end

// The look-ahead's hint (chapter 8): see the header.
void HashIndexShard::prefetch(std::string_view key, std::uint64_t hash, int pass) const {
  if (pass == 0) {  // no lock: see PublishedSlots
    published_tags_.prefetch(hash);
    published_index_.prefetch(hash);
    return;
  }
  std::shared_lock lock(mu_);
  if (index_.empty()) return;
  const std::size_t mask = index_.size() - 1;
  const std::uint8_t tag = index_tag(hash);
  // A few slots from home: the tags are in the cache by now, the nodes may not be.
  for (std::size_t i = hash & mask, probes = 0; probes < 4 && tags_[i] != 0;
       i = (i + 1) & mask, ++probes) {
    if (tags_[i] != tag) continue;
    const Node* node = index_[i];
    if (pass == 1) {
      __builtin_prefetch(node);
    } else if (node->key() == key) {
      __builtin_prefetch(node->record.load(std::memory_order_relaxed));
    }
    return;
  }
}

std::size_t HashIndexShard::memory_bytes() const {
  return sizeof(HashIndexShard) + node_arena_.memory_bytes() + arena_.memory_bytes() +
         index_bytes_.load(std::memory_order_relaxed);
}

// A node's bytes come from the node arena; the objects in them are created with construct_at
// and never destroyed one by one (they are trivially destructible; the arena frees the bytes).
// Nodes have an arena of their own, apart from the value records, so that they lie close
// together: a search touches only nodes, and 100,000 keys' nodes fit in a few MiB of cache
// where, spread among their records (an overwrite adds one each time), they would not.
HashIndexShard::Node* HashIndexShard::new_node(std::string_view key, int height) {
  static_assert(sizeof(Node) % alignof(std::atomic<Node*>) == 0,
                "the links must start aligned right after the node header");
  char* bytes = node_arena_.allocate_aligned(Node::size_for(height, key.size()));
  Node* node = std::construct_at(reinterpret_cast<Node*>(bytes),
                                 static_cast<std::uint32_t>(key.size()),
                                 static_cast<std::uint32_t>(height));
  for (int level = 0; level < height; ++level) {
    std::construct_at(&node->links()[level], nullptr);
  }
  if (!key.empty()) std::memcpy(node->key_bytes(), key.data(), key.size());
  return node;
}

const char* HashIndexShard::new_record(EntryKind kind, std::string_view value) {
  std::string header(1, static_cast<char>(kind));
  // Short: the header stays in the string's own buffer.
  if (kind == EntryKind::kValue) put_varint64(&header, value.size());
  char* record = arena_.allocate(header.size() + value.size());
  std::memcpy(record, header.data(), header.size());
  if (!value.empty()) std::memcpy(record + header.size(), value.data(), value.size());
  return record;
}

// Each level holds about a quarter of the nodes of the level below: a node reaches level
// h+1 with probability 1/4. Fewer levels than a coin's 1/2 means fewer links per node
// (1.33 on average), at the price of a few more steps per search.
int HashIndexShard::random_height() {
  int height = 1;
  while (height < kMaxHeight) {
    rng_ ^= rng_ << 13;  // xorshift64: fast, and plenty random for choosing heights
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    if ((rng_ & 3) != 0) break;
    ++height;
  }
  return height;
}

// Positioning links the keys waiting (every key written before it is in the order then) and
// searches under link_mu_, which guards max_height_; walking follows level-0 links with
// acquire and takes no lock.
class HashIndexShard::ShardIterator final : public Iterator {
 public:
  explicit ShardIterator(const HashIndexShard& shard) : shard_(shard) {}

  [[nodiscard]] bool valid() const override { return node_ != nullptr; }
  void seek_to_first() override {
    std::lock_guard linking(shard_.link_mu_);
    shard_.link_pending_locked();
    arrive(shard_.head_->next(0));
  }
  void seek(std::string_view target) override {
    std::lock_guard linking(shard_.link_mu_);
    shard_.link_pending_locked();
    Node* prev[kMaxHeight];
    shard_.find_predecessors(target, prev);
    arrive(prev[0]->next(0));
  }
  void next() override {
    assert(valid());
    arrive(node_->next(0));
  }
  [[nodiscard]] std::string_view key() const override { return node_->key(); }
  [[nodiscard]] std::string_view value() const override { return decode_record(record_).value; }
  [[nodiscard]] EntryKind kind() const override { return decode_record(record_).kind; }

 private:
  // The record is read once on arrival, so that key, value and kind agree.
  void arrive(const Node* node) {
    node_ = node;
    record_ = node != nullptr ? node->record.load(std::memory_order_acquire) : nullptr;
    if (node != nullptr) ask_ahead(node);
  }

  // Key order is unrelated to where nodes and records live in memory, so each step of a walk
  // would wait for two cache misses: the next node, then its record. Arriving at a node asks
  // for the next node's record and for the node after that, so that both are on their way
  // while the caller works on this entry (a flush builds a table entry from it; a merge of
  // shards serves the other shards first). The next node itself was asked for one step ago.
  static void ask_ahead(const Node* node) {
    const Node* after = node->next(0);
    if (after == nullptr) return;
    __builtin_prefetch(after->record.load(std::memory_order_acquire));
    if (const Node* further = after->next(0); further != nullptr) __builtin_prefetch(further);
  }

  const HashIndexShard& shard_;
  const Node* node_ = nullptr;
  const char* record_ = nullptr;
};

std::unique_ptr<Iterator> HashIndexShard::new_iterator() const {
  return std::make_unique<ShardIterator>(*this);
}

}  // namespace vkv::storage
