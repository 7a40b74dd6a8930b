/// \file
/// PollingWaiter: a worker that asks for its next requests a little longer before it sleeps,
/// while asking has lately found them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "06-server/reactor.hpp"
#include "06-server/server.hpp"
#include "common/flags.hpp"

namespace vkv::net {

/// A monotonic clock in nanoseconds (a test gives a fake one).
using NanoClock = std::function<std::int64_t()>;

/// std::chrono::steady_clock, in nanoseconds.
std::int64_t steady_nanos();

//! [polling-waiter]
/// A worker's Waiter (see net::Waiter) that polls its reactor without sleeping for up to
/// `window` before it sleeps, but only while polling pays. At P=1 each client sends its next
/// request a few microseconds after its reply; a worker that sleeps in between is woken by
/// the kernel for each one, and that wake-up, paid on the client's side, is what limits the
/// rate.
///
/// The rule, per worker: it polls when its last wait found work within a window of the
/// round's end (a poll found it, or a sleep ended before the window was over); a whole window
/// of polls that finds nothing makes it sleep at once from then on, until work again comes
/// within the window. An idle server therefore spends at most one window per burst of
/// requests, and one whose requests come further apart than the window polls at most once
/// for each time they come closer. A window of 0 never polls.
class PollingWaiter {
 public:
  /// What one waiter has done (for tests).
  struct Counts {
    std::uint64_t polls_with_work = 0;  ///< Waits answered by a poll, without sleeping.
    std::uint64_t empty_windows = 0;    ///< Windows of polling that found nothing.
    std::uint64_t sleeps = 0;           ///< Waits that went to sleep in Reactor::wait.
  };

  /// REQUIRES: `now` is monotonic.
  explicit PollingWaiter(std::chrono::microseconds window, NanoClock now = steady_nanos);

  /// Fills `out` with what is ready and returns how many (at least one).
  std::size_t operator()(runtime::Reactor& reactor, std::span<runtime::Ready> out);

  /// Whether the next wait polls first.
  [[nodiscard]] bool polling() const { return polling_; }
  /// What this waiter has done so far.
  [[nodiscard]] const Counts& counts() const { return counts_; }

 private:
  std::int64_t window_ns_;
  NanoClock now_;
  bool polling_ = false;
  Counts counts_;
};
//! [polling-waiter]

/// The default window: about what a round trip over loopback takes at P=1 on a busy machine.
inline constexpr std::size_t kDefaultPollMicros = 50;

/// The longest window `--poll-us` accepts: a second.
inline constexpr std::size_t kMaxPollMicros = 1000000;

/// Adds `--poll-us` (the window, in microseconds, up to kMaxPollMicros; 0: never poll) to
/// `flags`, read into `*micros`.
void add_poll_flag(Flags& flags, std::size_t* micros);

/// What ServerOptions::make_waiter needs for a PollingWaiter per worker with this window.
std::function<Waiter()> polling_waiters(std::chrono::microseconds window);

}  // namespace vkv::net
