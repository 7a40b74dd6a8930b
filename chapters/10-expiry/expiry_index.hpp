/// \file
/// ExpiryIndex: the keys that have deadlines, which the active expiry cycle samples.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "10-expiry/clock.hpp"
#include "10-expiry/deadline_table.hpp"

namespace vkv::storage {

/// What one ExpiryIndex::sample_due() saw.
struct ExpirySample {
  std::size_t looked = 0;  ///< Keys with deadlines it looked at.
  std::size_t due = 0;     ///< Of those, the ones due: taken out and handed to the caller.
};

//! [expiry-index]
/// Which keys have deadlines, and when, in memory: Redis's `expires` dictionary. A write
/// with a deadline adds its key, a write without one removes it, each at the cost of one
/// lookup in a flat hash table (DeadlineTable); the active expiry cycle looks through it a small sample at a time for keys
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
  /// A hint, before a note() of `key`: starts loading the slot that note() will look at, so
  /// that the store's own write, in between, hides the wait for memory. Takes no lock.
  void prefetch(std::string_view key) const;
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
  struct Shard {
    mutable std::mutex mu;
    DeadlineTable table;
    // table.size(), read without the lock: a write with no deadline to a shard that holds
    // none (the common case) need not take the mutex.
    std::atomic<std::size_t> count{0};
  };
  Shard& shard_for(std::uint64_t hash);
  const Shard& shard_for(std::uint64_t hash) const;

  std::array<Shard, kShards> shards_;
  std::mutex cursor_mu_;   // one sample at a time; guards the cursor
  std::size_t cursor_shard_ = 0;
  std::size_t cursor_slot_ = 0;
};
//! [expiry-index]

}  // namespace vkv::storage
