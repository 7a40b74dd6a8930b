#include "09-resp/polling_waiter.hpp"

#include <utility>

namespace vkv::net {

std::int64_t steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

PollingWaiter::PollingWaiter(std::chrono::microseconds window, NanoClock now)
    : window_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(window).count()),
      now_(std::move(now)) {}

//! [poll-then-sleep]
std::size_t PollingWaiter::operator()(runtime::Reactor& reactor,
                                      std::span<runtime::Ready> out) {
  const std::int64_t round_ended = now_();  // the wait starts where the last round ended
  if (polling_) {
    do {
      if (const std::size_t n = reactor.poll(out); n > 0) {
        ++counts_.polls_with_work;  // polling paid: keep polling
        return n;
      }
    } while (now_() - round_ended < window_ns_);
    ++counts_.empty_windows;  // a whole window found nothing: sleep at once from now on
    polling_ = false;
  }
  ++counts_.sleeps;
  const std::size_t n = reactor.wait(out);
  // Work that came within a window of the round's end would have been found by polling.
  polling_ = window_ns_ > 0 && now_() - round_ended < window_ns_;
  return n;
}
//! [poll-then-sleep]

void add_poll_flag(Flags& flags, std::size_t* micros) {
  flags.add_size_at_most("poll-us", micros, kMaxPollMicros,
                         "microseconds a worker asks for more requests before it sleeps, "
                         "while that finds them (0: sleep at once)");
}

std::function<Waiter()> polling_waiters(std::chrono::microseconds window) {
  return [window]() -> Waiter { return PollingWaiter(window); };
}

}  // namespace vkv::net
