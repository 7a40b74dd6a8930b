#include "11-metrics/instantaneous_meter.hpp"

namespace vkv::runtime {

void InstantaneousMeter::sample(std::int64_t now_ms, std::uint64_t value) {
  std::lock_guard lock(mu_);
  samples_[next_] = {now_ms, value};
  next_ = (next_ + 1) % kSamples;
  if (count_ < kSamples) ++count_;
}

// LEARNER: begin InstantaneousMeter::per_second(): the growth between the oldest and the newest sample kept, per second
//! [per-second]
double InstantaneousMeter::per_second() const {
  std::lock_guard lock(mu_);
  if (count_ < 2) return 0;
  const Sample& newest = samples_[(next_ + kSamples - 1) % kSamples];
  const Sample& oldest = samples_[(next_ + kSamples - count_) % kSamples];
  if (newest.ms <= oldest.ms || newest.value < oldest.value) return 0;
  return static_cast<double>(newest.value - oldest.value) * 1000.0 /
         static_cast<double>(newest.ms - oldest.ms);
}
//! [per-second]
// LEARNER: end

}  // namespace vkv::runtime
