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

//! [batch-clock]
/// A clock that holds still for one batch of requests (those of one read: chapter 6's
/// BatchHook calls batch()): the first now() of a batch reads `inner`, and every later now()
/// of that batch, on the same thread, answers the same moment. Outside a batch, every now()
/// reads `inner`.
///
/// Redis holds its time still in the same way for one command, and for a whole transaction;
/// here the unit is the batch, so that a pipeline of 16 SET EX reads the clock once, not 16
/// times, and the commands of one EXEC see one time. A request later in a batch is taken to
/// run when the batch's first look at the clock was made: earlier than it does, by at most
/// the time the batch's requests before it take.
///
/// Thread-safe: each thread has its own batch. `inner` must outlive it.
class BatchClock final : public Clock {
 public:
  /// A clock over `inner`, which must outlive it.
  explicit BatchClock(const Clock& inner) : inner_(inner) {}

  [[nodiscard]] UnixMillis now() const override {
    Batch& batch = t_batch;
    if (batch.clock != this) return inner_.now();  // no batch of this clock's on this thread
    if (!batch.read) {
      batch.at = inner_.now();
      batch.read = true;
    }
    return batch.at;
  }
  /// Starts (`starting` true) or ends the calling thread's batch.
  void batch(bool starting) const { t_batch = starting ? Batch{this, false, 0} : Batch{}; }

 private:
  struct Batch {
    const BatchClock* clock = nullptr;  // whose batch this thread is in; null: none
    bool read = false;                  // whether `at` holds this batch's time yet
    UnixMillis at = 0;
  };
  static thread_local Batch t_batch;
  const Clock& inner_;
};
//! [batch-clock]

inline thread_local BatchClock::Batch BatchClock::t_batch;

}  // namespace vkv::storage
