/// \file
/// LogRateLimiter: at most a burst of events of one kind per window, and a count of the rest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "11-metrics/event_log.hpp"

namespace vkv::runtime {

/// Milliseconds on a clock that only goes forward, read from a clock a test can replace.
using SteadyMillisClock = std::function<std::int64_t()>;

/// What LogRateLimiter::admit() decided about one event.
struct LogAdmission {
  /// Whether to write the event.
  bool allowed = false;
  /// When allowed: how many events of its kind were dropped since the last one written,
  /// which the event should carry (`suppressed=N`) so the reader knows. 0 when not allowed.
  std::uint64_t suppressed = 0;
  /// Same as `allowed`.
  explicit operator bool() const { return allowed; }
};

/// Keeps one kind of event from flooding the log: at most `burst` of a kind in any one
/// window of `window` (10 in 10 s by default), counted from the first event of the window.
/// The events past that are dropped and counted, and the next one allowed says how many
/// were (`suppressed=N`), so the log stays short and still tells the truth.
///
/// This is for what clients cause, a bad request or a broken connection: one client
/// sending garbage in a loop must not fill the disk with the same line, or slow every
/// worker down on the log's mutex.
///
/// The limiter remembers at most kMaxKinds kinds (kinds may come from what clients send).
/// When a new kind finds it full, the kinds whose window has ended with nothing to report
/// are forgotten; if none has, the new kind shares one overflow kind, `*`, with the others
/// that did not fit.
///
/// Thread-safe.
class LogRateLimiter {
 public:
  /// The most kinds remembered at once.
  static constexpr std::size_t kMaxKinds = 256;
  /// The kind that kinds past kMaxKinds are counted under.
  static constexpr std::string_view kOverflowKind = "*";

  /// At most `burst` events of a kind per `window`, on `clock` (empty: the steady clock).
  /// A burst of 0 counts as 1.
  explicit LogRateLimiter(std::size_t burst = 10,
                          std::chrono::milliseconds window = std::chrono::seconds(10),
                          SteadyMillisClock clock = {});

  /// Decides about one event of `kind`: allowed (with how many were dropped before it) or
  /// dropped (and counted).
  LogAdmission admit(std::string_view kind);

  /// Writes the event `name` at `level` to `log` if the limit for the kind `name` allows,
  /// with a last field `suppressed=N` when N events of the kind were dropped before it.
  /// An event the log's level hides is neither counted nor written. True when written.
  bool event(EventLog& log, LogLevel level, std::string_view name,
             std::initializer_list<LogField> fields = {});

 private:
  struct Kind {
    std::int64_t window_start = 0;  // when the current window began
    std::size_t in_window = 0;      // events allowed in it
    std::uint64_t dropped = 0;      // events dropped since the last one allowed
  };

  // The entry of `kind`, made if need be (see the class comment for a full table).
  // REQUIRES: mu_ is held.
  Kind& entry(std::string_view kind, std::int64_t now);

  const std::size_t burst_;
  const std::int64_t window_ms_;
  const SteadyMillisClock clock_;

  std::mutex mu_;
  std::unordered_map<std::string, Kind> kinds_;  // guarded by mu_
};

}  // namespace vkv::runtime
