/// \file
/// CycleClock: a clock for timing commands that costs a few nanoseconds to read.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace vkv::runtime {

//! [cycle-clock]
/// The processor's time-stamp counter where the kernel trusts it as a clock (its clocksource
/// is `tsc`: the counter runs at one rate on every core, in sleep too), else the steady clock.
///
/// Reading std::chrono::steady_clock is a call into the vDSO: timing every command twice, it
/// was 2% of the server's time in a profile of pipelined SETs (`perf record`, chapter 7's
/// way). Reading the counter is one instruction, and did not show in the profile. The
/// counter's ticks become nanoseconds with a rate measured once against the steady clock,
/// when the clock is first used.
class CycleClock {
 public:
  /// The one clock, measured on first use (which takes about 20 ms).
  static const CycleClock& get();

  /// A reading, in ticks: only the difference of two readings means anything.
  [[nodiscard]] std::uint64_t now() const {
#if defined(__x86_64__)
    if (use_tsc_) return __rdtsc();
#endif
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now().time_since_epoch()).count());
  }
  /// `ticks` (a difference of readings) in nanoseconds.
  [[nodiscard]] std::uint64_t to_ns(std::uint64_t ticks) const {
    return use_tsc_ ? static_cast<std::uint64_t>(static_cast<double>(ticks) * ns_per_tick_) : ticks;
  }
  /// Whether it reads the time-stamp counter.
  [[nodiscard]] bool uses_tsc() const { return use_tsc_; }

 private:
  CycleClock();
  bool use_tsc_ = false;
  double ns_per_tick_ = 1;
};
//! [cycle-clock]

}  // namespace vkv::runtime
