/// \file
/// ExpiringStore: chapter 8's store, with a deadline beside every value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "02-parsing/store.hpp"
#include "08-compaction/ordered_store.hpp"
#include "10-expiry/clock.hpp"
#include "10-expiry/expiring_value.hpp"
#include "10-expiry/expiry_index.hpp"

namespace vkv::storage {

//! [expiring-store]
/// A decorator over a store (chapter 8's, as a Store and an OrderedStore) that gives every
/// key an optional deadline, kept in the stored value (expiring_value.hpp).
///
/// **Reads never see an expired key**: get(), read() and scan() treat a key whose deadline
/// has come as absent, whatever has been done about it yet (lazy expiry). The expired entry
/// stays on disk until the active expiry cycle deletes it or a compaction drops it.
///
/// **Writes**: set() is Redis's plain SET, which clears the deadline; put() writes a value
/// with the deadline it is given. keeping_deadlines() is a Store whose set() keeps the key's
/// deadline, for the commands that change a value and leave its expiry alone (INCR, APPEND).
/// Every write tells the ExpiryIndex, so the index knows each deadline this store wrote.
///
/// **Locking**: none of its own. A read-modify-write (keeping_deadlines().set(), EXPIRE's
/// read and rewrite) is atomic only under the caller's per-key lock (chapter 9's KeyLocks);
/// the index is consistent with the store for a key as long as that key's writes are.
///
/// Thread-safe, as the wrapped store is.
class ExpiringStore final : public Store, public OrderedStore {
 public:
  /// Over `store` and `ordered` (the same keys, in order), reading the time from `clock`.
  /// All three must outlive this.
  ExpiringStore(Store& store, OrderedStore& ordered, const Clock& clock);

  /// Maps `key` to `value`, with no deadline (a plain SET).
  Status set(std::string_view key, std::string_view value) override;
  /// The value of `key`; not found when it has none or it has expired.
  Status get(std::string_view key, std::string* value) override;
  /// Removes `key` and its deadline.
  Status del(std::string_view key) override;

  /// Maps `key` to `value`, expiring at `deadline` (none: never). A deadline already past
  /// is written as it is: the key reads as absent from now on.
  Status put(std::string_view key, std::string_view value, std::optional<UnixMillis> deadline);
  /// The value and deadline of `key`; not found when it has none or it has expired.
  /// `deadline` may be null.
  Status read(std::string_view key, std::string* value, std::optional<UnixMillis>* deadline);

  /// The live keys from `start`, in order, with their values (OrderedStore's contract);
  /// expired keys are left out.
  Status scan(std::string_view start, std::optional<std::string_view> end, std::size_t limit,
              ScanPage* page) override;

  /// A Store over the same keys whose set() keeps the key's deadline (none if the key is
  /// absent or expired). get() and del() are this store's.
  Store& keeping_deadlines() { return keeping_; }

  /// What check_expired() found.
  enum class Stored {
    kExpired,  ///< Its stored deadline has come: delete_expired() may go.
    kLive,     ///< No deadline, or a later one (rewritten since it was noted): noted again.
    kGone,     ///< Not in the store (a compaction dropped it as expired, or a delete came first).
  };
  /// Whether `key` has expired at `now`, read from the store. Under the key's lock the answer
  /// holds until the lock is let go; without it, it is a hint (a write may come at once). A
  /// key found live has its deadline, if any, noted in the index again (a hint as well).
  Result<Stored> check_expired(std::string_view key, UnixMillis now);
  /// Deletes `key` from the store (a tombstone), leaving the index as it is.
  /// REQUIRES: check_expired() said kExpired, and the key's lock has been held since, by the
  /// caller or by a thread that waits for it.
  Status delete_expired(std::string_view key);
  /// Deletes `key` if it has expired at `now`: check_expired(), then delete_expired(), under
  /// the caller's key lock. `*deleted`: whether it did. `*gone`, when not null: whether the
  /// store no longer held the key. What the active expiry cycle does to a due key.
  Status delete_if_expired(std::string_view key, UnixMillis now, bool* deleted,
                           bool* gone = nullptr);

  /// Notes every deadline in the store in the index: a walk over all keys, for start-up
  /// (the index lives in memory only). Writes may go on meanwhile (the index is a set of
  /// hints, see ExpiryIndex). `*noted`: the deadlines it found, when not null.
  Status rebuild_index(std::size_t* noted = nullptr);

  /// The keys with deadlines, for the active expiry cycle.
  ExpiryIndex& index() { return index_; }
  /// The clock this store reads.
  [[nodiscard]] const Clock& clock() const { return clock_; }

 private:
  class Keeping final : public Store {
   public:
    explicit Keeping(ExpiringStore& store) : store_(store) {}
    Status set(std::string_view key, std::string_view value) override;
    Status get(std::string_view key, std::string* value) override { return store_.get(key, value); }
    Status del(std::string_view key) override { return store_.del(key); }

   private:
    ExpiringStore& store_;
  };

  // The stored entry of `key`, decoded into `*value` and `*deadline`, expired or not.
  Status read_stored(std::string_view key, std::string* value,
                     std::optional<UnixMillis>* deadline);

  Store& store_;
  OrderedStore& ordered_;
  const Clock& clock_;
  ExpiryIndex index_;
  Keeping keeping_{*this};
};
//! [expiring-store]

}  // namespace vkv::storage
