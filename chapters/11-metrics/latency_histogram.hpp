/// \file
/// LatencyHistogram: how long something took, counted in buckets whose width grows with the
/// time, so that a percentile is read to within about 6% at any scale.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "11-metrics/per_thread.hpp"

namespace vkv::runtime {

//! [buckets]
// Which bucket a duration of `ns` nanoseconds falls in. Below 16 ns each nanosecond has its
// own bucket; from there on, each power of two [2^k, 2^(k+1)) is cut into 16 equal buckets.
// A bucket is then at most 1/16 of its values wide: any duration is known to within 6.25%.
// Durations past kMaxTrackedNs share the last bucket.

/// The bits of a duration below its leading one that choose its bucket: 4, so 16 buckets
/// per power of two.
inline constexpr int kSubBucketBits = 4;
/// Buckets per power of two: 16.
inline constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
/// The longest duration told apart from the longer ones: 2^40 ns, about 18 minutes.
inline constexpr std::uint64_t kMaxTrackedNs = std::uint64_t{1} << 40;
/// Buckets in a histogram: 16 for 0..15 ns, then 16 for each power of two up to 2^40.
inline constexpr std::size_t kLatencyBuckets = (40 - kSubBucketBits + 1) * kSubBuckets;

/// The bucket of a duration of `ns` nanoseconds (see above).
inline std::size_t latency_bucket(std::uint64_t ns) {
  if (ns >= kMaxTrackedNs) return kLatencyBuckets - 1;
  if (ns < kSubBuckets) return static_cast<std::size_t>(ns);
  const int top = 63 - __builtin_clzll(ns);  // 2^top <= ns < 2^(top+1), top >= 4
  const auto sub = static_cast<std::size_t>((ns >> (top - kSubBucketBits)) & (kSubBuckets - 1));
  return static_cast<std::size_t>(top - kSubBucketBits + 1) * kSubBuckets + sub;
}
//! [buckets]

/// The smallest duration, in ns, that falls in `bucket`.
std::uint64_t latency_bucket_low(std::size_t bucket);
/// The smallest duration, in ns, past `bucket` (its exclusive upper edge).
std::uint64_t latency_bucket_high(std::size_t bucket);

/// A histogram's counts at one moment, added up over its writers: what percentiles and a
/// Prometheus histogram are read from.
struct LatencySnapshot {
  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(kLatencyBuckets);  ///< Per bucket.
  std::uint64_t count = 0;     ///< Durations recorded.
  std::uint64_t total_ns = 0;  ///< Their sum.

  /// Adds `other`'s counts to these.
  void add(const LatencySnapshot& other);
  /// The duration, in ns, below which a fraction `q` (0 < q <= 1) of those recorded fell:
  /// the upper edge of the bucket where the rank q * count is reached (so never too low by
  /// more than the bucket's width). 0 when nothing was recorded.
  [[nodiscard]] std::uint64_t quantile_ns(double q) const;
  /// How many durations were at most `bound_ns` for sure: the buckets that end at or below
  /// it. A bucket that straddles the bound is left out, so the count is never too high.
  [[nodiscard]] std::uint64_t count_at_most(std::uint64_t bound_ns) const;
};

//! [histogram]
/// The counts of one thread's durations. One thread writes it; any thread may read it while
/// it does (each count is a relaxed atomic, read whole, possibly a moment old).
///
/// Single writer: record() is a plain load and store of the bucket's count, no locked
/// instruction. Every thread that records gets histograms of its own (CommandStats keeps one
/// per thread per command), so this costs a few nanoseconds.
class LatencyHistogram {
 public:
  /// Counts one duration of `ns` nanoseconds. REQUIRES: one thread calls this.
  void record(std::uint64_t ns) {
    bump(counts_[latency_bucket(ns)]);
    bump(total_ns_, ns);
  }
  /// Adds these counts to `*snapshot`. Any thread.
  void add_to(LatencySnapshot* snapshot) const;
  /// Sets every count to 0. REQUIRES: no thread records meanwhile, or a lost count is
  /// acceptable (CONFIG RESETSTAT).
  void reset();

 private:
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets> counts_{};
  std::atomic<std::uint64_t> total_ns_{0};
};
//! [histogram]

}  // namespace vkv::runtime
