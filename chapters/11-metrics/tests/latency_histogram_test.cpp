// LatencyHistogram: bucket edges, quantiles within a bucket's width, the conservative count
// below a bound (what Prometheus's buckets are made of), and readers beside a writer.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "11-metrics/latency_histogram.hpp"

using vkv::runtime::kLatencyBuckets;
using vkv::runtime::kMaxTrackedNs;
using vkv::runtime::latency_bucket;
using vkv::runtime::latency_bucket_high;
using vkv::runtime::latency_bucket_low;
using vkv::runtime::LatencyHistogram;
using vkv::runtime::LatencySnapshot;

TEST_CASE("latency histogram: every duration falls in the bucket whose edges hold it", "[ch11]") {
  const std::vector<std::uint64_t> durations = {0,    1,       15,          16,
                                                17,   31,      32,          33,
                                                1000, 999'999, 123'456'789, (std::uint64_t{1} << 39) + 5,
                                                kMaxTrackedNs - 1};
  for (std::uint64_t ns : durations) {
    const std::size_t b = latency_bucket(ns);
    INFO(ns);
    REQUIRE(b < kLatencyBuckets);
    CHECK(latency_bucket_low(b) <= ns);
    CHECK(ns < latency_bucket_high(b));
  }
  CHECK(latency_bucket(kMaxTrackedNs) == kLatencyBuckets - 1);
  CHECK(latency_bucket(~0ULL) == kLatencyBuckets - 1);
  // Each bucket starts where the last ended, and is at most 1/16 of its values wide.
  for (std::size_t b = 1; b + 1 < kLatencyBuckets; ++b) {
    CHECK(latency_bucket_low(b) == latency_bucket_high(b - 1));
    const std::uint64_t width = latency_bucket_high(b) - latency_bucket_low(b);
    CHECK(width * 16 <= std::max<std::uint64_t>(latency_bucket_low(b), 16));
  }
}

TEST_CASE("latency histogram: quantiles come out within a bucket of the truth", "[ch11]") {
  LatencyHistogram h;
  for (std::uint64_t i = 1; i <= 10'000; ++i) h.record(i * 1000);  // 1 us .. 10 ms, evenly
  LatencySnapshot s;
  h.add_to(&s);
  CHECK(s.count == 10'000);
  CHECK(s.total_ns == 1000 * 10'000ULL * 10'001 / 2);
  for (double q : {0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double truth = q * 10'000 * 1000;
    const auto got = static_cast<double>(s.quantile_ns(q));
    INFO(q);
    CHECK(got >= truth);            // the bucket's upper edge: never below
    CHECK(got <= truth * 1.0625 + 1);  // and at most a bucket's width above
  }
  CHECK(LatencySnapshot{}.quantile_ns(0.5) == 0);
}

TEST_CASE("latency histogram: count_at_most never counts a duration past the bound", "[ch11]") {
  LatencyHistogram h;
  for (std::uint64_t ns : {900ULL, 1000ULL, 1010ULL, 1100ULL, 5000ULL}) h.record(ns);
  LatencySnapshot s;
  h.add_to(&s);
  CHECK(s.count_at_most(10'000) == 5);
  CHECK(s.count_at_most(899) == 0);
  const std::uint64_t at_1000 = s.count_at_most(1000);
  CHECK(at_1000 <= 2);  // 900 and 1000 are at most 1000; a bucket across 1000 is left out
  CHECK(at_1000 >= 1);
  h.reset();
  LatencySnapshot empty;
  h.add_to(&empty);
  CHECK(empty.count == 0);
}

TEST_CASE("latency histogram: a reader beside the one writer sees counts only grow", "[ch11]") {
  LatencyHistogram h;
  std::thread writer([&] {
    for (int i = 0; i < 200'000; ++i) h.record(static_cast<std::uint64_t>(i % 5000));
  });
  std::uint64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    LatencySnapshot s;
    h.add_to(&s);
    CHECK(s.count >= last);
    last = s.count;
  }
  writer.join();
  LatencySnapshot s;
  h.add_to(&s);
  CHECK(s.count == 200'000);
}
