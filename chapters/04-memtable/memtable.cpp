#include "04-memtable/memtable.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "04-memtable/key_hash.hpp"
#include "04-memtable/merging_iterator.hpp"
#include "04-memtable/skiplist_shard.hpp"

namespace vkv::storage {

//! [make-shards]
Memtable::Memtable(std::size_t shards, const MemtableShardFactory& make_shard) {
  if (shards == 0) throw std::invalid_argument("Memtable needs at least one shard");
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) {
    const auto seed = static_cast<std::uint32_t>(i + 1);
    shards_.push_back(make_shard ? make_shard(i) : std::make_unique<SkiplistShard>(seed));
  }
}
//! [make-shards]

//! [shard-for-key]
// The hash's high half picks the shard: a shard may use the low bits for itself.
MemtableShard& Memtable::shard_for(std::string_view key) const {
  return *shards_[(hash_key(key) >> 32) % shards_.size()];
}

void Memtable::set(std::string_view key, std::string_view value) {
  shard_for(key).write(key, EntryKind::kValue, value);
}

void Memtable::del(std::string_view key) { shard_for(key).write(key, EntryKind::kTombstone, {}); }

std::optional<EntryKind> Memtable::lookup(std::string_view key, std::string* value) const {
  return shard_for(key).lookup(key, value);
}
//! [shard-for-key]

void Memtable::prefetch(std::span<const std::string_view> keys) const {
  constexpr std::size_t kMost = 32;
  std::array<std::uint64_t, kMost> hashes;
  const std::size_t n = std::min(keys.size(), kMost);
  for (std::size_t i = 0; i < n; ++i) hashes[i] = hash_key(keys[i]);
  for (int pass = 0; pass < MemtableShard::kPrefetchPasses; ++pass) {
    for (std::size_t i = 0; i < n; ++i) {
      shards_[(hashes[i] >> 32) % shards_.size()]->prefetch(keys[i], hashes[i], pass);
    }
  }
}

//! [memory-total]
std::size_t Memtable::memory_bytes() const {
  std::size_t total = sizeof(Memtable) + shards_.capacity() * sizeof(shards_[0]);
  for (const auto& shard : shards_) total += shard->memory_bytes();
  return total;
}
//! [memory-total]

std::size_t Memtable::entry_count() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) total += shard->entry_count();
  return total;
}

//! [new-iterator]
std::unique_ptr<Iterator> Memtable::new_iterator() const {
  std::vector<std::unique_ptr<Iterator>> children;
  children.reserve(shards_.size());
  for (const auto& shard : shards_) children.push_back(shard->new_iterator());
  return std::make_unique<MergingIterator>(std::move(children));
}
//! [new-iterator]

}  // namespace vkv::storage
