#include "04-memtable/memtable.hpp"

#include "04-memtable/key_hash.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace vkv::storage {

Memtable::Memtable(std::size_t shards) {
  if (shards == 0) throw std::invalid_argument("Memtable needs at least one shard");
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<MemtableShard>(mix64(i + 1), &shard_bytes_));
  }
}

//! [shard-for-key]
// The shard is chosen by the hash's high 32 bits, scaled to the shard count with a multiply
// (no division); the shard's own index uses the low bits.
MemtableShard& Memtable::shard_for(std::uint64_t hash) const {
  return *shards_[((hash >> 32) * shards_.size()) >> 32];
}

void Memtable::set(std::string_view key, std::string_view value) {
  const std::uint64_t hash = hash_key(key);
  shard_for(hash).set(key, hash, value);
}
//! [shard-for-key]

void Memtable::del(std::string_view key) {
  const std::uint64_t hash = hash_key(key);
  shard_for(hash).del(key, hash);
}

LookupResult Memtable::lookup(std::string_view key, std::string* value) const {
  const std::uint64_t hash = hash_key(key);
  return shard_for(hash).lookup(key, hash, value);
}

//! [memory-total]
std::size_t Memtable::memory_bytes() const {
  return sizeof(Memtable) + shards_.capacity() * sizeof(shards_[0]) +
         shard_bytes_.load(std::memory_order_relaxed);
}
//! [memory-total]

std::size_t Memtable::entry_count() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) total += shard->entry_count();
  return total;
}

//! [merge-iterator]
namespace {

// Orders the heap so that the iterator with the smallest key is at the front (std::*_heap
// build a max-heap, hence "greater").
bool greater_key(const MemtableShard::Iterator& a, const MemtableShard::Iterator& b) {
  return a.key() > b.key();
}

}  // namespace

Memtable::Iterator::Iterator(const std::vector<std::unique_ptr<MemtableShard>>& shards) {
  heap_.reserve(shards.size());
  for (const auto& shard : shards) {
    MemtableShard::Iterator it(*shard);
    if (it.valid()) heap_.push_back(it);
  }
  std::make_heap(heap_.begin(), heap_.end(), greater_key);
}

// Take the smallest iterator off the heap, step it, and put it back if it has more.
void Memtable::Iterator::next() {
  std::pop_heap(heap_.begin(), heap_.end(), greater_key);
  heap_.back().next();
  if (heap_.back().valid()) {
    std::push_heap(heap_.begin(), heap_.end(), greater_key);
  } else {
    heap_.pop_back();
  }
}
//! [merge-iterator]

}  // namespace vkv::storage
