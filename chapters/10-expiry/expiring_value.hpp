/// \file
/// ExpiringValue: a stored value and its deadline, and the bytes chapter 10 stores for them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "10-expiry/clock.hpp"
#include "common/status.hpp"

namespace vkv::storage {

//! [expiring-value]
/// What chapter 10 stores as a key's value: the client's value, and the moment it expires,
/// if it does. The store below (chapter 8's) keeps them as one value, these bytes:
///
///     no deadline:   0x00 | value
///     a deadline:    0x01 | deadline (fixed64, little-endian Unix milliseconds) | value
///
/// so the deadline is written in the log and in the tables with the value, as an absolute
/// time, and a restart, a flush or a compaction keeps it. A value costs one byte more, nine
/// with a deadline. The first byte is a tag, so that a later format can be told apart.
struct ExpiringValue {
  std::optional<UnixMillis> deadline;  ///< When the key expires; none: it does not.
  std::string_view value;              ///< The client's value.

  /// True when the key is gone at `now`: it has a deadline, and the deadline has come.
  [[nodiscard]] bool expired_at(UnixMillis now) const { return deadline && *deadline <= now; }
};

/// The first byte of a value with no deadline.
inline constexpr char kNoDeadlineTag = 0x00;
/// The first byte of a value with a deadline.
inline constexpr char kDeadlineTag = 0x01;

/// Appends the stored bytes of `value` with `deadline` to `*out`.
void encode_expiring_value(std::optional<UnixMillis> deadline, std::string_view value,
                           std::string* out);

/// The stored bytes of `value` with `deadline`.
std::string encode_expiring_value(std::optional<UnixMillis> deadline, std::string_view value);

/// Reads stored bytes back. The result views `stored`. A corruption status when the bytes
/// cannot have been written by encode_expiring_value (empty, an unknown tag, a deadline cut
/// short): a value stored by a store that is not chapter 10's.
Result<ExpiringValue> decode_expiring_value(std::string_view stored);
//! [expiring-value]

//! [expired-values]
/// Chapter 8's LevelOptions::dead_value for values stored by chapter 10: a value whose
/// deadline has come, by `clock`, is dead, and a compaction that meets it drops it (or
/// writes a tombstone in its place, where an older value below could come back). Bytes it
/// cannot read are kept: a compaction is no place to decide what a damaged value meant.
/// `clock` must outlive what this returns.
std::function<bool(std::string_view key, std::string_view stored)> expired_values(
    const Clock& clock);
//! [expired-values]

}  // namespace vkv::storage
