#include "08-compaction/row_cache.hpp"

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

namespace {

// What an entry costs besides its key and value: the list node, the index's node and bucket.
constexpr std::size_t kEntryOverhead = 80;

std::size_t charge(std::string_view key, std::string_view value) {
  return key.size() + value.size() + kEntryOverhead;
}

}  // namespace

RowCache::RowCache(std::size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

RowCache::Shard& RowCache::shard_for(std::string_view key) {
  return shards_[hash_key(key) % kShards];
}

bool RowCache::lookup(std::string_view key, std::uint64_t epoch, std::string* value) {
  if (shard_capacity_ == 0) return false;
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mu);
  const auto it = s.index.find(key);
  if (it == s.index.end() || it->second->epoch != epoch) return false;
  s.lru.splice(s.lru.begin(), s.lru, it->second);  // now the most recently used
  value->assign(it->second->value);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RowCache::insert(std::string_view key, std::string_view value, std::uint64_t epoch) {
  const std::size_t cost = charge(key, value);
  if (cost > shard_capacity_) return;  // larger than a shard (or the cache is off)
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mu);
  if (const auto it = s.index.find(key); it != s.index.end()) {  // replace: drop the old one
    s.bytes -= charge(it->second->key, it->second->value);
    const auto node = it->second;
    s.index.erase(it);
    s.lru.erase(node);
  }
  s.lru.push_front(Entry{std::string(key), std::string(value), epoch});
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += cost;
  while (s.bytes > shard_capacity_) {  // evict from the least recently used end
    const Entry& last = s.lru.back();
    s.bytes -= charge(last.key, last.value);
    s.index.erase(last.key);
    s.lru.pop_back();
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
