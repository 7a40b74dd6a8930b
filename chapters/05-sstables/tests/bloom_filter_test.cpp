// BloomFilter: never a false negative; about 1% false positives at 10 bits per key, on random
// and on sequential keys; the size and the probe count it promises.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "05-sstables/bloom_filter.hpp"

using vkv::storage::BloomFilter;
using vkv::storage::kBloomBitsPerKey;

namespace {

// `n` distinct random binary keys of 1 to 40 bytes, none of them in `avoid`.
std::vector<std::string> random_keys(std::size_t n, std::uint64_t seed,
                                     const std::unordered_set<std::string>& avoid = {}) {
  std::mt19937_64 rng(seed);
  std::unordered_set<std::string> seen;
  std::vector<std::string> keys;
  while (keys.size() < n) {
    std::string key(1 + rng() % 40, '\0');
    for (auto& c : key) c = static_cast<char>(rng());
    if (avoid.count(key) == 0 && seen.insert(key).second) keys.push_back(std::move(key));
  }
  return keys;
}

std::string numbered_key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016d", i);
  return buf;
}

double false_positive_rate(const BloomFilter& filter, const std::vector<std::string>& absent) {
  std::size_t yes = 0;
  for (const auto& k : absent) yes += filter.may_contain(k) ? 1 : 0;
  return static_cast<double>(yes) / static_cast<double>(absent.size());
}

}  // namespace

TEST_CASE("bloom: no false negatives, ever, over 100k random keys", "[ch05][bloom]") {
  const auto keys = random_keys(100'000, 1);
  BloomFilter filter(keys.size());
  for (const auto& k : keys) filter.add(k);
  std::size_t missed = 0;
  for (const auto& k : keys) missed += filter.may_contain(k) ? 0 : 1;
  CHECK(missed == 0);
}

TEST_CASE("bloom: under 2% false positives at 10 bits per key, 7 probes", "[ch05][bloom]") {
  constexpr std::size_t kKeys = 100'000;
  BloomFilter filter(kKeys);
  CHECK(filter.probe_count() == 7);
  SECTION("random keys") {
    const auto keys = random_keys(kKeys, 2);
    for (const auto& k : keys) filter.add(k);
    const auto absent = random_keys(kKeys, 3, {keys.begin(), keys.end()});
    const double rate = false_positive_rate(filter, absent);
    INFO("false-positive rate " << rate);
    CHECK(rate < 0.02);
    CHECK(rate > 0.002);  // a filter that says "no" to everything would be broken, not good
  }
  SECTION("sequential keys (db_bench's), absent ones interleaved") {
    for (int i = 0; i < static_cast<int>(kKeys); ++i) filter.add(numbered_key(2 * i));
    std::vector<std::string> absent;
    for (int i = 0; i < static_cast<int>(kKeys); ++i) absent.push_back(numbered_key(2 * i + 1));
    const double rate = false_positive_rate(filter, absent);
    INFO("false-positive rate " << rate);
    CHECK(rate < 0.02);
  }
}

TEST_CASE("bloom: memory is the bits per key asked for", "[ch05][bloom]") {
  BloomFilter ten(100'000);
  CHECK(ten.bit_count() >= 100'000 * kBloomBitsPerKey);
  CHECK(ten.memory_bytes() <= 100'000 * kBloomBitsPerKey / 8 + 64);  // 1.25 bytes per key
  BloomFilter twenty(100'000, 20);
  CHECK(twenty.memory_bytes() <= 100'000 * 20 / 8 + 64);
  CHECK(twenty.probe_count() == 14);
  BloomFilter none(0);
  CHECK(none.bit_count() == vkv::storage::kBloomLineBits);  // the least there is: one line
  CHECK_FALSE(none.may_contain("anything"));
  none.add("anything");
  CHECK(none.may_contain("anything"));
}

TEST_CASE("bloom: more bits per key, fewer false positives", "[ch05][bloom]") {
  const auto keys = random_keys(20'000, 4);
  const auto absent = random_keys(20'000, 5, {keys.begin(), keys.end()});
  double previous = 1.0;
  for (std::size_t bits : {4, 8, 12, 16}) {
    BloomFilter filter(keys.size(), bits);
    for (const auto& k : keys) filter.add(k);
    for (const auto& k : keys) REQUIRE(filter.may_contain(k));
    const double rate = false_positive_rate(filter, absent);
    INFO(bits << " bits per key: " << rate);
    CHECK(rate < previous);
    previous = rate;
  }
}

TEST_CASE("bloom: asking by hash is asking by key", "[ch05][bloom]") {
  BloomFilter filter(100);
  filter.add_hash(BloomFilter::hash("user:1"));
  CHECK(filter.may_contain("user:1"));
  filter.add("user:2");
  CHECK(filter.may_contain_hash(BloomFilter::hash("user:2")));
}
