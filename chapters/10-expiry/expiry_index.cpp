#include "10-expiry/expiry_index.hpp"

namespace vkv::storage {

ExpiryIndex::Shard& ExpiryIndex::shard_for(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void ExpiryIndex::note(std::string_view key, std::optional<UnixMillis> deadline) {
  Shard& s = shard_for(key);
  if (!deadline && s.count.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(s.mu);
  auto it = s.deadline_of.find(key);
  if (it != s.deadline_of.end()) {
    if (deadline && *deadline == it->second) return;
    s.by_deadline.erase({it->second, it->first});
    if (!deadline) {
      s.deadline_of.erase(it);
      s.count.store(s.deadline_of.size(), std::memory_order_relaxed);
      return;
    }
    it->second = *deadline;
  } else {
    if (!deadline) return;
    it = s.deadline_of.emplace(std::string(key), *deadline).first;
    s.count.store(s.deadline_of.size(), std::memory_order_relaxed);
  }
  s.by_deadline.insert({*deadline, it->first});
}

std::size_t ExpiryIndex::take_due(UnixMillis now, std::size_t max,
                                  std::vector<std::string>* due) {
  std::lock_guard take(take_mu_);
  std::size_t taken = 0;
  // Round the shards from where the last call stopped, so that no shard waits behind
  // another's backlog.
  for (std::size_t visited = 0; visited < kShards && taken < max; ++visited) {
    Shard& s = shards_[next_shard_];
    next_shard_ = (next_shard_ + 1) % kShards;
    std::lock_guard lock(s.mu);
    while (taken < max && !s.by_deadline.empty() && s.by_deadline.begin()->first <= now) {
      const std::string_view key = s.by_deadline.begin()->second;
      due->emplace_back(key);
      s.by_deadline.erase(s.by_deadline.begin());
      s.deadline_of.erase(due->back());
      ++taken;
    }
    s.count.store(s.deadline_of.size(), std::memory_order_relaxed);
  }
  return taken;
}

std::size_t ExpiryIndex::size() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) {
    n += s.count.load(std::memory_order_relaxed);
  }
  return n;
}

void ExpiryIndex::clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.by_deadline.clear();
    s.deadline_of.clear();
    s.count.store(0, std::memory_order_relaxed);
  }
}

}  // namespace vkv::storage
