#include "11-metrics/cycle_clock.hpp"

#include <fstream>
#include <string>
#include <thread>

namespace vkv::runtime {

namespace {

// Whether the kernel keeps time with the time-stamp counter: then it has found it runs at
// one rate on every core (an "invariant" counter), which is what timing across cores needs.
bool kernel_trusts_tsc() {
  std::ifstream f("/sys/devices/system/clocksource/clocksource0/current_clocksource");
  std::string source;
  return f >> source && source == "tsc";
}

}  // namespace

const CycleClock& CycleClock::get() {
  static const CycleClock clock;
  return clock;
}

CycleClock::CycleClock() {
#if defined(__x86_64__)
  if (!kernel_trusts_tsc()) return;
  // Ticks per nanosecond over 20 ms of the steady clock: off by a microsecond at either end,
  // the rate is off by 1 in 10,000.
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t c0 = __rdtsc();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t c1 = __rdtsc();
  const double ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  if (c1 <= c0 || ns <= 0) return;
  ns_per_tick_ = ns / static_cast<double>(c1 - c0);
  use_tsc_ = true;
#endif
}

}  // namespace vkv::runtime
