/// \file
/// SlowLog: the commands that took longer than a threshold, kept in memory for SLOWLOG GET,
/// as Redis keeps them.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkv::runtime {

/// Redis's default threshold: 10 ms (`slowlog-log-slower-than 10000`).
inline constexpr std::int64_t kDefaultSlowlogMicros = 10'000;
/// Redis's default length: the last 128 slow commands (`slowlog-max-len 128`).
inline constexpr std::size_t kDefaultSlowlogMaxLen = 128;
/// Arguments kept per entry; past these, the last one kept says how many more there were.
inline constexpr std::size_t kSlowlogMaxArgs = 32;
/// Bytes kept per argument; a longer one is cut and says how many more bytes it had.
inline constexpr std::size_t kSlowlogMaxArgBytes = 128;

/// One slow command.
struct SlowLogEntry {
  std::uint64_t id = 0;               ///< From 0, one more for each entry ever logged.
  std::int64_t unix_seconds = 0;      ///< When it was logged.
  std::uint64_t micros = 0;           ///< How long it ran.
  std::vector<std::string> args;      ///< Its words, shortened as Redis shortens them.
  std::string client_name;            ///< CLIENT SETNAME's name, or empty.
};

//! [slow-log]
/// The last `max_len` commands that ran for `threshold_micros` or longer (a threshold of 0
/// keeps every command; a negative one, none), newest first.
///
/// should_log() is what every command pays: one comparison. The lock is taken only for a
/// command that is slow, which a healthy server has few of. Thread-safe.
class SlowLog {
 public:
  /// A log with Redis's settings unless told otherwise.
  explicit SlowLog(std::int64_t threshold_micros = kDefaultSlowlogMicros,
                   std::size_t max_len = kDefaultSlowlogMaxLen)
      : threshold_(threshold_micros), max_len_(max_len) {}

  /// Whether a command that ran `micros` is kept.
  [[nodiscard]] bool should_log(std::uint64_t micros) const {
    return threshold_ >= 0 && micros >= static_cast<std::uint64_t>(threshold_);
  }
  /// Keeps the command `args`, which ran `micros` (call it when should_log() says so).
  void add(std::span<const std::string_view> args, std::uint64_t micros,
           std::string_view client_name);
  /// The newest `count` entries (all of them when `count` is past their number).
  [[nodiscard]] std::vector<SlowLogEntry> newest(std::size_t count) const;
  /// How many entries are kept.
  [[nodiscard]] std::size_t size() const;
  /// Forgets every entry (their ids go on from where they were).
  void reset();

  /// The threshold, in microseconds.
  [[nodiscard]] std::int64_t threshold_micros() const { return threshold_; }
  /// The most entries kept.
  [[nodiscard]] std::size_t max_len() const { return max_len_; }

 private:
  const std::int64_t threshold_;
  const std::size_t max_len_;
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // guarded by mu_; newest first
  std::uint64_t next_id_ = 0;         // guarded by mu_
};
//! [slow-log]

}  // namespace vkv::runtime
