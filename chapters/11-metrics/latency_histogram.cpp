#include "11-metrics/latency_histogram.hpp"

namespace vkv::runtime {

std::uint64_t latency_bucket_low(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const std::size_t group = bucket / kSubBuckets;  // 1 for [16, 32), 2 for [32, 64)...
  const std::size_t sub = bucket % kSubBuckets;
  const int top = static_cast<int>(group) + kSubBucketBits - 1;
  return (std::uint64_t{1} << top) + (static_cast<std::uint64_t>(sub) << (top - kSubBucketBits));
}

std::uint64_t latency_bucket_high(std::size_t bucket) {
  if (bucket + 1 >= kLatencyBuckets) return UINT64_MAX;
  return latency_bucket_low(bucket + 1);
}

void LatencySnapshot::add(const LatencySnapshot& other) {
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) counts[i] += other.counts[i];
  count += other.count;
  total_ns += other.total_ns;
}

// LEARNER: begin LatencySnapshot::quantile_ns(): the rank asked for, then the bucket where the counts reach it
//! [quantile]
std::uint64_t LatencySnapshot::quantile_ns(double q) const {
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  if (total == 0) return 0;
  // The rank of the duration asked for, from 1: the smallest r with r >= q * total.
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
  if (static_cast<double>(rank) < q * static_cast<double>(total)) ++rank;
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return i + 1 < kLatencyBuckets ? latency_bucket_high(i) : kMaxTrackedNs;
  }
  return kMaxTrackedNs;
}
//! [quantile]
// LEARNER: end

std::uint64_t LatencySnapshot::count_at_most(std::uint64_t bound_ns) const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    if (latency_bucket_high(i) > bound_ns + 1) break;  // holds durations past the bound
    n += counts[i];
  }
  return n;
}

void LatencyHistogram::add_to(LatencySnapshot* snapshot) const {
  // The count is the buckets' sum as read here, so that a snapshot agrees with itself while
  // durations are recorded (a Prometheus histogram's +Inf bucket must equal its count).
  std::uint64_t count = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    const std::uint64_t n = counts_[i].load(std::memory_order_relaxed);
    snapshot->counts[i] += n;
    count += n;
  }
  snapshot->count += count;
  snapshot->total_ns += total_ns_.load(std::memory_order_relaxed);
}

void LatencyHistogram::reset() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
  total_ns_.store(0, std::memory_order_relaxed);
}

}  // namespace vkv::runtime
