#include "10-expiry/expiry_index.hpp"

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

ExpiryIndex::Shard& ExpiryIndex::shard_for(std::uint64_t hash) {
  return shards_[(hash >> 60) % kShards];  // the top bits; the table uses the low ones
}

const ExpiryIndex::Shard& ExpiryIndex::shard_for(std::uint64_t hash) const {
  return shards_[(hash >> 60) % kShards];  // as above, for prefetch(), which changes nothing
}

void ExpiryIndex::prefetch(std::string_view key) const {
  const std::uint64_t hash = hash_key(key);
  const Shard& s = shard_for(hash);
  if (s.count.load(std::memory_order_relaxed) != 0) s.table.prefetch(hash);
}

void ExpiryIndex::note(std::string_view key, std::optional<UnixMillis> deadline) {
  const std::uint64_t hash = hash_key(key);
  Shard& s = shard_for(hash);
  if (!deadline && s.count.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(s.mu);
  if (deadline) {
    s.table.set(hash, key, *deadline);
  } else if (!s.table.erase(hash)) {
    return;
  }
  s.count.store(s.table.size(), std::memory_order_relaxed);
}

// LEARNER: begin ExpiryIndex::sample_due(): shard by shard from the cursor, at most once round, until enough keys were looked at
//! [sample-due]
ExpirySample ExpiryIndex::sample_due(UnixMillis now, std::size_t look,
                                     std::vector<std::string>* due) {
  std::lock_guard cursor(cursor_mu_);
  ExpirySample seen;
  const std::size_t before = due->size();
  // Shard by shard from the cursor, at most once round all of them.
  for (std::size_t visited = 0; visited <= kShards && seen.looked < look; ++visited) {
    Shard& s = shards_[cursor_shard_];
    bool round_done = false;
    {
      std::lock_guard lock(s.mu);
      round_done = s.table.take_due(&cursor_slot_, now, look - seen.looked, due, &seen.looked);
      s.count.store(s.table.size(), std::memory_order_relaxed);
    }
    if (!round_done) break;  // `look` keys seen; the next call goes on from here
    cursor_shard_ = (cursor_shard_ + 1) % kShards;
  }
  seen.due = due->size() - before;
  return seen;
}
//! [sample-due]
// LEARNER: end

std::size_t ExpiryIndex::size() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) n += s.count.load(std::memory_order_relaxed);
  return n;
}

void ExpiryIndex::clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.table.clear();
    s.count.store(0, std::memory_order_relaxed);
  }
}

}  // namespace vkv::storage
