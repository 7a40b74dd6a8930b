/// \file
/// The options of chapter 10's commands, parsed as Redis parses them: SET's, GETEX's and the
/// EXPIRE family's, and the times they give turned into deadlines, with Redis's error texts.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "10-expiry/clock.hpp"
#include "common/status.hpp"

namespace vkv::engine {

/// What a time is counted in.
enum class TimeUnit { kSeconds, kMillis };

/// A time as a command gives it, not yet checked: `EX 10` is {"10", kSeconds, relative}.
/// Views the command's words.
struct TimeArg {
  std::string_view number;        ///< The words as given ("10").
  TimeUnit unit = TimeUnit::kSeconds;  ///< EX/EXAT: seconds; PX/PXAT: milliseconds.
  bool absolute = false;          ///< EXAT/PXAT: a Unix time; EX/PX: from now.
};

/// The unit a command's name gives its time: milliseconds for the P commands (PEXPIRE, PTTL,
/// PEXPIREAT, PEXPIRETIME, PSETEX), seconds for the others. `command` in any case.
TimeUnit unit_of_command(std::string_view command);

/// Redis's error texts (without the `ERR ` each protocol writes before them).
inline constexpr std::string_view kSyntaxError = "syntax error";
/// The error for a number that is not a 64-bit integer.
inline constexpr std::string_view kNotAnInteger = "value is not an integer or out of range";

/// `invalid expire time in 'NAME' command`, NAME being `command` (in lower case): a time that
/// is zero or negative where it must not be, or that overflows when turned into a deadline.
Status invalid_expire_time(std::string_view command);

//! [time-arg]
/// SET's and GETEX's time as a deadline at `now`. Redis's rules: not an integer is
/// kNotAnInteger; zero or negative, or a deadline past what 64 bits of milliseconds hold, is
/// invalid_expire_time(`command`). An absolute time in the past is a valid deadline (the key
/// is gone at once).
Result<storage::UnixMillis> option_deadline(const TimeArg& time, storage::UnixMillis now,
                                            std::string_view command);

/// EXPIRE's (PEXPIRE's, EXPIREAT's, PEXPIREAT's) time as a deadline at `now`. Unlike SET, a
/// zero or negative time is allowed (a deadline in the past: the key is deleted); only an
/// overflow is invalid_expire_time(`command`).
Result<storage::UnixMillis> expire_deadline(const TimeArg& time, storage::UnixMillis now,
                                            std::string_view command);
//! [time-arg]

/// What SET does with the key's deadline.
enum class SetTtl {
  kClear,  ///< No time given: the key has none afterwards (a plain SET).
  kKeep,   ///< KEEPTTL: the key keeps the deadline it had.
  kSet,    ///< EX, PX, EXAT or PXAT: `SetOptions::time`.
};

/// SET's options.
struct SetOptions {
  bool if_absent = false;   ///< NX: only when the key has no value.
  bool if_present = false;  ///< XX: only when it has one.
  bool get = false;         ///< GET: answer the old value (or none) instead of OK.
  SetTtl ttl = SetTtl::kClear;  ///< What becomes of the deadline.
  TimeArg time;             ///< For kSet.
};

/// Parses SET's options (the words after key and value), as Redis 7 does: NX and XX exclude
/// each other; EX, PX, EXAT, PXAT and KEEPTTL exclude each other (the same one twice: the last
/// counts); a time option needs its number. Anything else is kSyntaxError. The time itself is
/// checked later (option_deadline), as Redis does, after the syntax.
Result<SetOptions> parse_set_options(std::span<const std::string_view> words);

/// What GETEX does with the key's deadline.
struct GetexOptions {
  bool persist = false;          ///< PERSIST: remove it.
  std::optional<TimeArg> time;   ///< EX, PX, EXAT or PXAT: set it. Neither: leave it.
};

/// Parses GETEX's options (the words after the key): at most one of EX, PX, EXAT, PXAT and
/// PERSIST (the same one twice: the last counts), else kSyntaxError.
Result<GetexOptions> parse_getex_options(std::span<const std::string_view> words);

/// EXPIRE's conditions.
struct ExpireCondition {
  bool nx = false;  ///< Only when the key has no deadline.
  bool xx = false;  ///< Only when it has one.
  bool gt = false;  ///< Only when the new deadline is later (no deadline counts as infinite).
  bool lt = false;  ///< Only when it is earlier (no deadline counts as infinite).

  /// Whether a key whose deadline is `current` (none: it has none) may take `deadline`.
  [[nodiscard]] bool allows(std::optional<storage::UnixMillis> current,
                            storage::UnixMillis deadline) const;
};

/// Parses EXPIRE's conditions (the words after key and time): NX, XX, GT, LT in any case.
/// Another word: `Unsupported option <word>`; NX with XX, GT or LT, and GT with LT: Redis's
/// "... are not compatible" errors.
Result<ExpireCondition> parse_expire_condition(std::span<const std::string_view> words);

}  // namespace vkv::engine
