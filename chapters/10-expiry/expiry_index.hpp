/// \file
/// ExpiryIndex: the keys that have deadlines, in deadline order, for the active expiry cycle.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "10-expiry/clock.hpp"

namespace vkv::storage {

//! [expiry-index]
/// Which keys have deadlines, and when, in memory, ordered by deadline: what lets the active
/// expiry cycle find the keys that are due without walking the store. (Redis keeps the same
/// set, its `expires` dictionary, and samples it at random; a set ordered by deadline finds
/// every due key at once, for a little more memory.)
///
/// It is a set of hints, not the truth: the stored value says whether a key has a deadline.
/// A key taken from it as due is checked against the store before anything is deleted, so an
/// index that is a little behind (being rebuilt after a restart, or racing a write) costs a
/// wasted look, never a wrong delete.
///
/// Holds each key once. Thread-safe: sharded by key, a mutex per shard.
class ExpiryIndex {
 public:
  /// Notes that `key` expires at `deadline`, or, with none, that it has no deadline.
  void note(std::string_view key, std::optional<UnixMillis> deadline);
  /// Takes out of the index up to `max` keys whose deadline is `now` or earlier, earliest
  /// first within each shard, into `*due` (appended). Returns how many it took.
  std::size_t take_due(UnixMillis now, std::size_t max, std::vector<std::string>* due);
  /// The keys it holds.
  [[nodiscard]] std::size_t size() const;
  /// Forgets every key.
  void clear();

 private:
  static constexpr std::size_t kShards = 16;
  // Lets deadline_of be searched with a string_view, without making a string.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, UnixMillis, KeyHash, std::equal_to<>> deadline_of;
    // deadline_of.size(), read without the lock: a write with no deadline to a shard that
    // holds none (the common case) need not take the mutex.
    std::atomic<std::size_t> count{0};
    // (deadline, key), the key viewing deadline_of's copy (a node's key never moves).
    std::set<std::pair<UnixMillis, std::string_view>> by_deadline;
  };
  Shard& shard_for(std::string_view key);

  std::array<Shard, kShards> shards_;
  std::size_t next_shard_ = 0;  // where take_due starts; guarded by take_mu_
  std::mutex take_mu_;
};
//! [expiry-index]

}  // namespace vkv::storage
