#include "05-sstables/block_cache.hpp"

#include <cassert>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

namespace {

std::uint64_t hash_of(const BlockCache::Key& key) {
  return mix64(key.table * 0x9e3779b97f4a7c15ULL ^ key.offset);
}

struct KeyHash {
  std::size_t operator()(const BlockCache::Key& key) const {
    return static_cast<std::size_t>(hash_of(key));
  }
};

}  // namespace

//! [block-cache-shard]
// One shard: a list of blocks from most to least recently used, a hash table from key to
// list position, and the bytes charged for them. Every member is guarded by mu_.
class BlockCache::Shard {
 public:
  explicit Shard(std::size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const Block> lookup(const Key& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++stats_.misses;
      return nullptr;
    }
    ++stats_.hits;
    lru_.splice(lru_.begin(), lru_, it->second);  // now the most recently used
    return it->second->block;
  }

  void insert(const Key& key, std::shared_ptr<const Block> block) {
    const std::size_t charge = BlockCache::charge(*block);
    std::lock_guard lock(mu_);
    // Whatever the cache held under this key is replaced, even by nothing: it must never
    // answer with an older block than the one just offered.
    if (auto it = index_.find(key); it != index_.end()) remove(it->second);
    if (charge > capacity_) return;  // would evict everything and still not fit
    lru_.push_front(Entry{key, std::move(block), charge});
    index_.emplace(key, lru_.begin());
    stats_.bytes += charge;
    ++stats_.blocks;
    while (stats_.bytes > capacity_) {
      remove(std::prev(lru_.end()));  // the least recently used
      ++stats_.evictions;
    }
  }

  Stats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

  void clear() {
    std::lock_guard lock(mu_);
    while (!lru_.empty()) remove(lru_.begin());
  }

 private:
  struct Entry {
    Key key;
    std::shared_ptr<const Block> block;
    std::size_t charge;
  };
  using Position = std::list<Entry>::iterator;

  // REQUIRES: mu_ is held.
  void remove(Position pos) {
    stats_.bytes -= pos->charge;
    --stats_.blocks;
    index_.erase(pos->key);
    lru_.erase(pos);
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recently used
  std::unordered_map<Key, Position, KeyHash> index_;
  Stats stats_;
};
//! [block-cache-shard]

BlockCache::BlockCache(std::size_t capacity_bytes, std::size_t shards) : capacity_(capacity_bytes) {
  assert(shards >= 1);
  const std::size_t per_shard = (capacity_bytes + shards - 1) / shards;
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
}

BlockCache::~BlockCache() = default;

BlockCache::Shard& BlockCache::shard_for(const Key& key) const {
  // The high bits pick the shard; the shard's hash table uses the whole hash.
  return *shards_[(hash_of(key) >> 32) % shards_.size()];
}

std::shared_ptr<const Block> BlockCache::lookup(const Key& key) {
  if (capacity_ == 0) {  // no cache: a miss, without a shard's lock
    uncached_misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  return shard_for(key).lookup(key);
}

void BlockCache::insert(const Key& key, std::shared_ptr<const Block> block) {
  assert(block != nullptr);
  if (capacity_ == 0) return;  // nothing fits, and nothing is held that it could replace
  shard_for(key).insert(key, std::move(block));
}

void BlockCache::clear() {
  for (const auto& shard : shards_) shard->clear();
}

BlockCache::Stats BlockCache::stats() const {
  Stats total;
  total.misses = uncached_misses_.load(std::memory_order_relaxed);
  for (const auto& shard : shards_) {
    const Stats s = shard->stats();
    total.hits += s.hits;
    total.misses += s.misses;
    total.evictions += s.evictions;
    total.blocks += s.blocks;
    total.bytes += s.bytes;
  }
  return total;
}

}  // namespace vkv::storage
