#include "10-expiry/deadline_table.hpp"

#include <utility>

namespace vkv::storage {

std::size_t DeadlineTable::find(std::uint64_t hash) const {
  if (slots_.empty()) return kNone;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask; slots_[i].deadline != kFree; i = (i + 1) & mask) {
    if (slots_[i].hash == hash) return i;  // the hash is the key's identity: see the class
  }
  return kNone;  // a free slot ends the probe
}

void DeadlineTable::fill(std::size_t i, std::uint64_t hash, UnixMillis deadline,
                         std::string key) {
  slots_[i] = Slot{hash, deadline};
  keys_[i] = std::move(key);
}

void DeadlineTable::move_slot(std::size_t from, std::size_t to) {
  slots_[to] = slots_[from];
  keys_[to] = std::move(keys_[from]);
  slots_[from].deadline = kFree;
  keys_[from].clear();
}

void DeadlineTable::set(std::uint64_t hash, std::string_view key, UnixMillis deadline) {
  if (deadline == kFree) deadline = kFree + 1;  // still long past: see kFree
  if (const std::size_t i = find(hash); i != kNone) {
    slots_[i].deadline = deadline;  // the common case: the slot only, not the key
    return;
  }
  // At most 3/4 full, so that a probe stays short and always meets a free slot.
  if ((count_ + 1) * 4 > slots_.size() * 3) resize(slots_.empty() ? kMinSlots : slots_.size() * 2);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].deadline != kFree) i = (i + 1) & mask;
  fill(i, hash, deadline, std::string(key));
  ++count_;
}

bool DeadlineTable::erase(std::uint64_t hash) {
  const std::size_t i = find(hash);
  if (i == kNone) return false;
  remove_at(i);
  shrink_if_sparse();
  return true;
}

bool DeadlineTable::shrink_if_sparse() {
  // Under 1/8 full: down to at most 3/4 (growing doubles to 3/8, so the two never chase
  // each other).
  if (slots_.size() <= kMinSlots || count_ * 8 >= slots_.size()) return false;
  std::size_t want = kMinSlots;
  while ((count_ + 1) * 4 > want * 3) want *= 2;
  resize(want);
  return true;
}

void DeadlineTable::remove_at(std::size_t i) {
  const std::size_t mask = slots_.size() - 1;
  slots_[i].deadline = kFree;
  keys_[i].clear();
  --count_;
  // Every entry after the hole, up to the next free slot, whose home is not between the hole
  // and itself, moves into the hole (Knuth's deletion for linear probing).
  for (std::size_t j = (i + 1) & mask; slots_[j].deadline != kFree; j = (j + 1) & mask) {
    const std::size_t home = slots_[j].hash & mask;
    const bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (between) continue;
    move_slot(j, i);
    i = j;
  }
}

void DeadlineTable::resize(std::size_t slots) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  std::vector<std::string> old_keys = std::exchange(keys_, std::vector<std::string>(slots));
  const std::size_t mask = slots - 1;
  for (std::size_t k = 0; k < old.size(); ++k) {
    if (old[k].deadline == kFree) continue;
    std::size_t i = old[k].hash & mask;
    while (slots_[i].deadline != kFree) i = (i + 1) & mask;
    fill(i, old[k].hash, old[k].deadline, std::move(old_keys[k]));
  }
  published_.publish(slots_.data(), slots);
}

bool DeadlineTable::take_due(std::size_t* cursor, UnixMillis now, std::size_t look,
                             std::vector<std::string>* due, std::size_t* looked) {
  if (count_ == 0) {  // nothing to look at: the round is done at once
    *cursor = 0;
    return true;
  }
  std::size_t seen = 0;
  std::size_t i = *cursor;
  while (i < slots_.size() && seen < look) {
    const UnixMillis deadline = slots_[i].deadline;
    if (deadline == kFree) {
      ++i;
      continue;
    }
    ++seen;
    if (deadline > now) {
      ++i;
      continue;
    }
    due->push_back(std::move(keys_[i]));
    // The removal shifts later entries of the cluster back, into slot i at the earliest:
    // look at slot i again, so that none of them is skipped this round.
    remove_at(i);
  }
  *looked += seen;
  const bool round_done = i >= slots_.size();
  *cursor = round_done ? 0 : i;
  // After a wave of expiry, a table far larger than what it holds gives its memory back; the
  // keys move, so the round starts over.
  if (shrink_if_sparse()) {
    *cursor = 0;
    return count_ == 0;
  }
  return round_done;
}

void DeadlineTable::clear() {
  published_.publish(nullptr, 0);
  std::vector<Slot>().swap(slots_);
  std::vector<std::string>().swap(keys_);
  count_ = 0;
}

}  // namespace vkv::storage
