/// \file
/// InstantaneousMeter: "per second, lately", from a counter sampled every 100 ms, as Redis
/// computes `instantaneous_ops_per_sec`.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

namespace vkv::runtime {

/// The rate of a counter over its last kSamples samples. Thread-safe.
class InstantaneousMeter {
 public:
  /// Samples kept: Redis keeps 16, taken every 100 ms, so the rate is over 1.6 s.
  static constexpr std::size_t kSamples = 16;

  /// Notes that the counter stood at `value` at `now_ms` (any steady clock, in ms).
  void sample(std::int64_t now_ms, std::uint64_t value);
  /// The counter's growth per second between the oldest and newest samples kept; 0 until
  /// two samples are.
  [[nodiscard]] double per_second() const;

 private:
  struct Sample {
    std::int64_t ms = 0;
    std::uint64_t value = 0;
  };
  mutable std::mutex mu_;
  std::array<Sample, kSamples> samples_{};  // guarded by mu_: a ring
  std::size_t next_ = 0;                    // guarded by mu_: where the next sample goes
  std::size_t count_ = 0;                   // guarded by mu_: samples kept, up to kSamples
};

}  // namespace vkv::runtime
