/// \file
/// Clock: where chapter 10 reads the time, so that tests can set it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace vkv::storage {

/// A moment as Redis writes one: milliseconds since 1970-01-01 00:00 UTC (the Unix epoch).
/// Deadlines are kept in this form, in the log and the tables, so that they mean the same
/// after a restart, and on another machine.
using UnixMillis = std::int64_t;

//! [clock]
/// The wall clock, behind an interface: the server reads SystemClock, tests a ManualClock
/// they move by hand, so that a test of a 10-second expiry takes no 10 seconds.
///
/// Deadlines are wall-clock times (a client says `EXPIREAT 1767225600`), so this is the wall
/// clock, not a steady one, and it can jump: see the page, "When the clock jumps".
class Clock {
 public:
  virtual ~Clock() = default;
  /// Now. Thread-safe.
  [[nodiscard]] virtual UnixMillis now() const = 0;
};

/// The system's wall clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  [[nodiscard]] UnixMillis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock that stands still until a test moves it. Thread-safe.
class ManualClock final : public Clock {
 public:
  /// Starts at `start` (by default 2026-01-01 00:00 UTC).
  explicit ManualClock(UnixMillis start = 1'767'225'600'000) : now_(start) {}
  [[nodiscard]] UnixMillis now() const override { return now_.load(); }
  /// Moves the clock by `ms` (backwards too, as a wall clock may).
  void advance(UnixMillis ms) { now_.fetch_add(ms); }
  /// Sets the clock to `t`.
  void set(UnixMillis t) { now_.store(t); }

 private:
  std::atomic<UnixMillis> now_;
};
//! [clock]

}  // namespace vkv::storage
