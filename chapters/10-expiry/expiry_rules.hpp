/// \file
/// ExpiryRules: chapter 10's commands as Redis runs them, over the ExpiringStore, with no
/// protocol: both protocols' commands call these and only write the replies.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "09-resp/key_locks.hpp"
#include "10-expiry/expiring_store.hpp"
#include "10-expiry/expiry_options.hpp"

namespace vkv::engine {

/// What a SET did.
struct SetOutcome {
  bool written = false;              ///< False when NX or XX kept it from writing.
  std::optional<std::string> old;    ///< The value before, when GET asked for it.
};

//! [expiry-rules]
/// The semantics of SET with options, GETEX, EXPIRE and its family, PERSIST, TTL and
/// EXPIRETIME, once, for both protocols. Each write holds the key's lock (KeyLocks, shared
/// with every other write of the key) from its read to its write.
///
/// **Errors**: an invalid-argument status is the user's mistake, its message Redis's error
/// text without `ERR ` (`syntax error`); any other status is the store's failure.
///
/// Thread-safe.
class ExpiryRules {
 public:
  /// Over `store`, written under `locks`; both must outlive this.
  ExpiryRules(storage::ExpiringStore& store, KeyLocks& locks) : store_(store), locks_(locks) {}

  /// SET `key` `value` with `options` (see SetOptions): checks the time (its error naming
  /// `command`, lower case as Redis writes it: 'set', 'setex' or 'psetex'), then, under the
  /// lock, writes unless NX or XX says no. A deadline already past deletes the key.
  Result<SetOutcome> set(std::string_view key, std::string_view value, const SetOptions& options,
                         std::string_view command = "set");

  /// GETEX: the value of `key` (none if it has none), and its deadline changed as `options`
  /// say. The time is checked (as 'getex') only when the key exists, as in Redis.
  Result<std::optional<std::string>> getex(std::string_view key, const GetexOptions& options);

  /// EXPIRE and its family: gives `key` the deadline `deadline` if it exists and `condition`
  /// allows. True if it did (a deadline in the past deletes the key, and counts as done).
  Result<bool> expire(std::string_view key, storage::UnixMillis deadline,
                      const ExpireCondition& condition);

  /// EXPIRE, PEXPIRE, EXPIREAT or PEXPIREAT, named `command` (any case), as both protocols
  /// receive it: the time `number` and the condition words (NX, XX, GT, LT) read with
  /// Redis's rules and errors (the time checked at the command's name), then expire() above.
  Result<bool> expire(std::string_view command, std::string_view key, std::string_view number,
                      std::span<const std::string_view> conditions);

  /// PERSIST: removes `key`'s deadline. True if it had one.
  Result<bool> persist(std::string_view key);

  /// TTL (kSeconds) or PTTL (kMillis): -2 when `key` does not exist, -1 when it has no
  /// deadline, else the time left (seconds rounded to the nearest, as Redis does).
  Result<std::int64_t> ttl(std::string_view key, TimeUnit unit);

  /// EXPIRETIME (kSeconds) or PEXPIRETIME (kMillis): -2, -1, or the deadline as a Unix time.
  Result<std::int64_t> expire_time(std::string_view key, TimeUnit unit);

  /// What WATCH remembers of `key` (RespCommands::watch_state()): its deadline and value, so
  /// that EXPIRE or PERSIST of a watched key stops the transaction too; nothing when it has
  /// no value (or it has expired).
  Result<std::optional<std::string>> watch_state(std::string_view key);

  /// The time now, by the store's clock.
  [[nodiscard]] storage::UnixMillis now() const { return store_.clock().now(); }

 private:
  // The deadline of `key` into `*deadline`: not found when it has no value.
  Status read_deadline(std::string_view key, std::optional<storage::UnixMillis>* deadline);
  // Writes `value` with `deadline`, or deletes the key when the deadline has passed: by
  // `now`, when the caller has read the clock already, else by a reading of its own.
  Status write(std::string_view key, std::string_view value,
               std::optional<storage::UnixMillis> deadline,
               std::optional<storage::UnixMillis> now = std::nullopt);

  storage::ExpiringStore& store_;
  KeyLocks& locks_;
};
//! [expiry-rules]

}  // namespace vkv::engine
