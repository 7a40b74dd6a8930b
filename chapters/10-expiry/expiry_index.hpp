/// \file
/// ExpiryIndex: the keys that have deadlines, which the active expiry cycle samples.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "10-expiry/clock.hpp"

namespace vkv::storage {

/// What one ExpiryIndex::sample_due() saw.
struct ExpirySample {
  std::size_t looked = 0;  ///< Keys with deadlines it looked at.
  std::size_t due = 0;     ///< Of those, the ones due: taken out and handed to the caller.
};

//! [expiry-index]
/// Which keys have deadlines, and when, in memory: Redis's `expires` dictionary. A write
/// with a deadline adds its key, a write without one removes it, each at the cost of one
/// hash lookup; the active expiry cycle looks through it a small sample at a time for keys
/// that are due, without walking the store.
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
  /// Looks at the next `look` keys, going round the index from where the last call stopped
  /// (as Redis's expiry cycle goes round its dictionary with a cursor), and takes out those
  /// whose deadline is `now` or earlier, appending them to `*due`. Looks at fewer only when
  /// it has gone once round the whole index. In one round each key is looked at once, in no
  /// particular order; a key noted meanwhile may wait for the next round.
  ExpirySample sample_due(UnixMillis now, std::size_t look, std::vector<std::string>* due);
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
  };
  Shard& shard_for(std::string_view key);
  // Looks through `s` from bucket `*bucket` on (see sample_due); true when it reached the
  // shard's end. REQUIRES: s.mu held.
  static bool sample_shard(Shard& s, std::size_t* bucket, UnixMillis now, std::size_t look,
                           std::vector<std::string>* due, ExpirySample* seen);

  std::array<Shard, kShards> shards_;
  std::mutex cursor_mu_;   // one sample at a time; guards the cursor
  std::size_t cursor_shard_ = 0;
  std::size_t cursor_bucket_ = 0;
};
//! [expiry-index]

}  // namespace vkv::storage
