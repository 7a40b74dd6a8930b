#include "10-expiry/expiry_index.hpp"

namespace vkv::storage {

namespace {

// A table this much larger than what it holds is shrunk (after a wave of expiry): a hash
// table never gives its buckets back by itself.
constexpr std::size_t kShrinkFactor = 8;
constexpr std::size_t kSmallTable = 64;

}  // namespace

ExpiryIndex::Shard& ExpiryIndex::shard_for(std::string_view key) {
  return shards_[KeyHash{}(key) % kShards];
}

void ExpiryIndex::note(std::string_view key, std::optional<UnixMillis> deadline) {
  Shard& s = shard_for(key);
  if (!deadline && s.count.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(s.mu);
  if (deadline) {
    auto it = s.deadline_of.find(key);
    if (it != s.deadline_of.end()) {
      it->second = *deadline;
    } else {
      s.deadline_of.emplace(std::string(key), *deadline);
    }
  } else {
    auto it = s.deadline_of.find(key);
    if (it == s.deadline_of.end()) return;
    s.deadline_of.erase(it);
  }
  s.count.store(s.deadline_of.size(), std::memory_order_relaxed);
}

bool ExpiryIndex::sample_shard(Shard& s, std::size_t* bucket, UnixMillis now, std::size_t look,
                               std::vector<std::string>* due, ExpirySample* seen) {
  auto& table = s.deadline_of;
  const std::size_t first_due = due->size();
  for (; *bucket < table.bucket_count() && seen->looked < look; ++*bucket) {
    for (auto it = table.begin(*bucket); it != table.end(*bucket); ++it) {
      ++seen->looked;
      if (it->second <= now) due->push_back(it->first);
    }
  }
  for (std::size_t i = first_due; i < due->size(); ++i) table.erase((*due)[i]);
  seen->due += due->size() - first_due;
  if (table.bucket_count() > kSmallTable && table.size() * kShrinkFactor < table.bucket_count()) {
    table.rehash(0);  // as few buckets as its keys need; the round of this shard starts over
    *bucket = 0;
    return true;
  }
  s.count.store(table.size(), std::memory_order_relaxed);
  return *bucket >= table.bucket_count();
}

// LEARNER: begin ExpiryIndex::sample_due(): shard by shard from the cursor, at most once round, until enough keys were looked at
//! [sample-due]
ExpirySample ExpiryIndex::sample_due(UnixMillis now, std::size_t look,
                                     std::vector<std::string>* due) {
  std::lock_guard cursor(cursor_mu_);
  ExpirySample seen;
  // Shard by shard from the cursor, at most once round all of them.
  for (std::size_t visited = 0; visited <= kShards && seen.looked < look; ++visited) {
    Shard& s = shards_[cursor_shard_];
    bool finished = false;
    {
      std::lock_guard lock(s.mu);
      finished = sample_shard(s, &cursor_bucket_, now, look, due, &seen);
      s.count.store(s.deadline_of.size(), std::memory_order_relaxed);
    }
    if (!finished) break;  // `look` keys seen; the next call goes on from here
    cursor_shard_ = (cursor_shard_ + 1) % kShards;
    cursor_bucket_ = 0;
  }
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
    std::unordered_map<std::string, UnixMillis, KeyHash, std::equal_to<>>().swap(s.deadline_of);
    s.count.store(0, std::memory_order_relaxed);
  }
}

}  // namespace vkv::storage
