#include "08-compaction/row_cache.hpp"

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

namespace {

// What an entry costs besides its key and value: the list node, the index's node and bucket.
constexpr std::size_t kEntryOverhead = 96;

std::size_t charge(std::string_view key, std::string_view value) {
  return key.size() + value.size() + kEntryOverhead;
}

}  // namespace

RowCache::RowCache(std::size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {
  // Buckets for the entries a shard can hold if they are small, so the index never rehashes
  // under a lookup's lock.
  for (Shard& s : shards_) s.index.reserve(shard_capacity_ / (kEntryOverhead + 64));
}

RowCache::Shard& RowCache::shard_for(std::uint64_t hash) {
  return shards_[(hash >> 32) % kShards];  // the high half: the index buckets by the low
}

bool RowCache::lookup(std::string_view key, std::uint64_t epoch, std::string* value) {
  if (shard_capacity_ == 0) return false;
  const std::uint64_t hash = hash_key(key);
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  const auto it = s.index.find(hash);
  if (it == s.index.end() || it->second->epoch != epoch || it->second->key != key) return false;
  it->second->used = true;  // spares it from the next eviction pass
  value->assign(it->second->value);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RowCache::erase(Shard& s, std::list<Entry>::iterator node) {
  s.bytes -= charge(node->key, node->value);
  s.index.erase(node->hash);
  s.lru.erase(node);
}

void RowCache::insert(std::string_view key, std::string_view value, std::uint64_t epoch) {
  const std::size_t cost = charge(key, value);
  if (cost > shard_capacity_) return;  // larger than a shard (or the cache is off)
  const std::uint64_t hash = hash_key(key);
  Shard& s = shard_for(hash);
  std::lock_guard lock(s.mu);
  if (const auto it = s.index.find(hash); it != s.index.end()) erase(s, it->second);
  s.lru.push_front(Entry{hash, std::string(key), std::string(value), epoch});
  s.index.emplace(hash, s.lru.begin());
  s.bytes += cost;
  while (s.bytes > shard_capacity_) {
    const auto last = std::prev(s.lru.end());
    if (last->used && last != s.lru.begin()) {  // used since last time: another round
      last->used = false;
      s.lru.splice(s.lru.begin(), s.lru, last);
    } else {
      erase(s, last);
    }
  }
}

std::size_t RowCache::bytes() const {
  std::size_t total = 0;
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    total += s.bytes;
  }
  return total;
}

}  // namespace vkv::storage
