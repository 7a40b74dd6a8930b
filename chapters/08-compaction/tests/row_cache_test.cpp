// RowCache: hits only in the epoch an entry was found in, least recently used out first,
// bounded by its capacity; its table keeps every entry findable however many come and go;
// and under a store, never a stale value across flushes.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "08-compaction/row_cache.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "common/testing/test_util.hpp"

using vkv::storage::hash_key;
using vkv::storage::RowCache;

TEST_CASE("row cache: a hit needs the same epoch", "[ch08][row-cache]") {
  RowCache cache(1 << 20);
  std::string value;
  CHECK_FALSE(cache.lookup("k", 1, &value));
  cache.insert("k", "v1", 1);
  REQUIRE(cache.lookup("k", 1, &value));
  CHECK(value == "v1");
  CHECK_FALSE(cache.lookup("k", 2, &value));  // a flush since: the entry no longer matches
  cache.insert("k", "v2", 2);
  REQUIRE(cache.lookup("k", 2, &value));
  CHECK(value == "v2");
  CHECK(cache.hits() == 2);
}

TEST_CASE("row cache: stays within its capacity, dropping the least recently used", "[ch08][row-cache]") {
  RowCache cache(32 * 4096);  // 4 KiB a shard
  const std::string big(1000, 'x');
  for (int i = 0; i < 2000; ++i) cache.insert("key" + std::to_string(i), big, 1);
  CHECK(cache.bytes() <= 32 * 4096);
  std::string value;
  CHECK(cache.lookup("key1999", 1, &value));  // the newest are there
  CHECK_FALSE(cache.lookup("key0", 1, &value));  // the oldest went
}

TEST_CASE("row cache: off at capacity 0", "[ch08][row-cache]") {
  RowCache cache(0);
  cache.insert("k", "v", 1);
  std::string value;
  CHECK_FALSE(cache.lookup("k", 1, &value));
  CHECK(cache.bytes() == 0);
}

TEST_CASE("row cache: many inserts of every size stay within its capacity", "[ch08][row-cache]") {
  constexpr std::size_t kCapacity = 32 * 2048;
  RowCache cache(kCapacity);
  std::mt19937_64 rng(7);
  std::size_t most = 0;
  for (int i = 0; i < 20000; ++i) {
    // Mostly tiny entries (many to a shard: its table grows), now and then a large one.
    const std::size_t value_size = rng() % 10 == 0 ? rng() % 1500 : rng() % 8;
    cache.insert("k" + std::to_string(rng() % 5000), std::string(value_size, 'v'), 1);
    const std::size_t bytes = cache.bytes();
    REQUIRE(bytes <= kCapacity);
    most = std::max(most, bytes);
  }
  CHECK(most > kCapacity / 2);  // it did fill up
}

namespace {

// Hashes for forcing what real keys almost never do. Each keeps the high half zero, so every
// key goes to one shard.
// Many keys share each hash, and the homes crowd into a few slots: long runs that wrap round.
std::uint64_t crowded_hash(std::string_view key) { return hash_key(key) % 61; }
// A distinct hash per key (as far as these tests go), but homes only every 8th slot.
std::uint64_t clustered_hash(std::string_view key) { return hash_key(key) & 0xfffffff8; }
// 61 distinct hashes, many keys to each, whose homes in a table of any size are its last 4
// slots: every run of entries wraps round the table's end.
std::uint64_t wrapping_hash(std::string_view key) {
  const std::uint64_t x = hash_key(key) % 61;
  return 124 + x % 4 + (x << 8);
}
// One hash for every key.
std::uint64_t one_hash(std::string_view) { return 42; }

// Random inserts and lookups against a model of what may be cached: each key's last inserted
// value and its epoch. A lookup may miss, but a hit must give exactly that value in that
// epoch; a key just inserted must hit. Returns the hits.
std::uint64_t check_against_model(RowCache& cache, std::size_t capacity, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, std::pair<std::uint64_t, std::string>> last;  // key: (epoch, value)
  std::uint64_t hits = 0;
  for (int op = 0; op < 100000; ++op) {
    const std::string key = "key" + std::to_string(rng() % 300);
    const std::uint64_t epoch = 1 + rng() % 3;
    if (rng() % 5 < 2) {
      // Every value is new (the op number), so a stale entry shows, in any epoch.
      const std::string value = std::to_string(op) + std::string(rng() % 60, 'v');
      cache.insert(key, value, epoch);
      last[key] = {epoch, value};
      std::string got;
      REQUIRE(cache.lookup(key, epoch, &got));
      REQUIRE(got == value);
      REQUIRE(cache.bytes() <= capacity);
    } else {
      std::string got;
      if (cache.lookup(key, epoch, &got)) {
        ++hits;
        const auto it = last.find(key);
        REQUIRE(it != last.end());
        REQUIRE(it->second.first == epoch);
        REQUIRE(got == it->second.second);
      }
    }
  }
  return hits;
}

}  // namespace

TEST_CASE("row cache: under constant eviction a hit is always the last value inserted",
          "[ch08][row-cache]") {
  SECTION("spread over every shard") {
    RowCache cache(32 * 1024);  // a handful of entries a shard
    CHECK(check_against_model(cache, 32 * 1024, 1) > 1000);
  }
  SECTION("keys sharing hashes, crowded into one shard's few slots") {
    RowCache cache(32 * 2048, crowded_hash);
    CHECK(check_against_model(cache, 32 * 2048, 2) > 1000);
  }
  SECTION("distinct hashes, homes only every 8th slot: long runs, shifts across the end") {
    RowCache cache(32 * 2048, clustered_hash);
    CHECK(check_against_model(cache, 32 * 2048, 3) > 1000);
  }
  SECTION("homes only in the table's last 4 slots: every run wraps round its end") {
    RowCache cache(32 * 2048, wrapping_hash);
    CHECK(check_against_model(cache, 32 * 2048, 5) > 1000);
  }
}

TEST_CASE("row cache: for each hash, exactly the last key inserted with it is cached",
          "[ch08][row-cache]") {
  // Room for everything, so nothing is evicted and the model is exact: each hash's last key,
  // with its last value and epoch. (Each replacement erases from the middle of a run that
  // wraps round the table's end; the new entry, probing from the same home, then fills the
  // hole again, so it is the eviction tests above that catch a wrong backward shift.)
  RowCache cache(32 << 20, wrapping_hash);
  std::map<std::uint64_t, std::pair<std::string, std::pair<std::uint64_t, std::string>>> last;
  std::mt19937_64 rng(4);
  const auto check_key = [&](const std::string& key) {
    const auto it = last.find(wrapping_hash(key));
    const bool cached = it != last.end() && it->second.first == key;
    std::string got;
    for (std::uint64_t epoch = 1; epoch <= 2; ++epoch) {
      const bool expect = cached && it->second.second.first == epoch;
      INFO(key << " in epoch " << epoch);
      REQUIRE(cache.lookup(key, epoch, &got) == expect);
      if (expect) REQUIRE(got == it->second.second.second);
    }
  };
  for (int op = 0; op < 20000; ++op) {
    const std::string key = "key" + std::to_string(rng() % 300);
    const std::uint64_t epoch = 1 + rng() % 2;
    const std::string value = std::to_string(op);
    cache.insert(key, value, epoch);
    last[wrapping_hash(key)] = {key, {epoch, value}};
    check_key(key);
    check_key("key" + std::to_string(rng() % 300));
    if (op % 1000 == 999) {
      for (int k = 0; k < 300; ++k) check_key("key" + std::to_string(k));
    }
  }
  CHECK(last.size() > 50);  // a run of that many entries (the 300 keys need not hit all 61)
}

TEST_CASE("row cache: hot entries are spared while the entries around them are evicted",
          "[ch08][row-cache]") {
  // One shard, homes every 8th slot: each eviction shifts entries, often the hot ones, back
  // into holes. Twelve entries of 64 bytes fit beside the table: four hot, eight cold.
  RowCache cache(32 * 1024, clustered_hash);
  const std::string value(20, 'v');
  const std::vector<std::string> hot = {"hot0", "hot1", "hot2", "hot3"};
  std::string got;
  int misses = 0;
  for (int i = 0; i < 5000; ++i) {
    cache.insert("cold" + std::to_string(i), value, 1);
    REQUIRE(cache.bytes() <= 32 * 1024);
    for (const std::string& k : hot) {
      if (!cache.lookup(k, 1, &got)) {  // a hit also spares it from the next eviction
        ++misses;
        cache.insert(k, value, 1);  // as a GET would
      }
    }
  }
  // CLOCK only approximates LRU: an eviction that finds every entry used (the new ones come
  // in used) clears them all and takes the first, hot or not. That is rare.
  CHECK(misses < 200);  // of 20,000 lookups
  CHECK_FALSE(cache.lookup("cold0", 1, &got));  // the cold ones went
  CHECK(cache.lookup("cold4999", 1, &got));
}

TEST_CASE("row cache: of two keys with one hash, the later replaces the earlier",
          "[ch08][row-cache]") {
  RowCache cache(1 << 20, one_hash);
  std::string value;
  cache.insert("a", "1", 1);
  cache.insert("b", "2", 1);
  CHECK_FALSE(cache.lookup("a", 1, &value));  // a miss, never b's value
  REQUIRE(cache.lookup("b", 1, &value));
  CHECK(value == "2");
  cache.insert("a", "3", 1);
  CHECK_FALSE(cache.lookup("b", 1, &value));
  REQUIRE(cache.lookup("a", 1, &value));
  CHECK(value == "3");
  CHECK(cache.bytes() < 200);  // one entry and a small table: the replaced one is gone
}

TEST_CASE("row cache: a store never answers from a row older than its tables", "[ch08][row-cache]") {
  vkv::testing::TempDir tmp;
  auto s = vkv::testing::open_leveled(tmp.file("data"), vkv::testing::tiny_levels(false));
  for (int round = 0; round < 6; ++round) {
    for (int k = 0; k < 30; ++k) {
      REQUIRE(s.store->set("key" + std::to_string(k), "r" + std::to_string(round)).is_ok());
    }
    REQUIRE(s.store->flush().is_ok());
    // Read every key twice: the second read comes from the row cache.
    for (int pass = 0; pass < 2; ++pass) {
      for (int k = 0; k < 30; ++k) {
        std::string value;
        REQUIRE(s.store->get("key" + std::to_string(k), &value).is_ok());
        CHECK(value == "r" + std::to_string(round));
      }
    }
    if (round % 2 == 1) {  // deleted keys do not come back from the cache either
      REQUIRE(s.store->del("key0").is_ok());
      REQUIRE(s.store->flush().is_ok());
      std::string value;
      CHECK(s.store->get("key0", &value).is_not_found());
    }
  }
  CHECK(s.set->stats().row_cache_hits > 0);
}

TEST_CASE("row cache: clear drops every entry and gives the memory back", "[ch08][row-cache]") {
  RowCache cache(1 << 20);
  for (int i = 0; i < 1000; ++i) cache.insert("k" + std::to_string(i), std::string(100, 'v'), 1);
  CHECK(cache.bytes() > 100'000);
  cache.clear();
  CHECK(cache.bytes() == 0);
  std::string value;
  CHECK_FALSE(cache.lookup("k1", 1, &value));
  cache.insert("k1", "again", 1);  // usable afterwards
  CHECK(cache.lookup("k1", 1, &value));
  CHECK(value == "again");
}

TEST_CASE("row cache: prefetch is only a hint: it changes no answer, hit count nor size",
          "[ch08][row-cache]") {
  RowCache cache(1 << 20);
  const std::vector<std::string_view> keys = {"k1", "k2", "absent", "", "k1"};
  cache.prefetch(keys);  // an empty cache: nothing to load, nothing to break
  cache.insert("k1", "v1", 1);
  cache.insert("k2", "v2", 1);
  const std::size_t bytes = cache.bytes();
  cache.prefetch(keys);
  CHECK(cache.bytes() == bytes);
  CHECK(cache.hits() == 0);
  std::string value;
  REQUIRE(cache.lookup("k1", 1, &value));
  CHECK(value == "v1");
  CHECK_FALSE(cache.lookup("absent", 1, &value));
  // More keys than one batch: the rest are ignored, not an error.
  std::vector<std::string> many(3 * RowCache::kPrefetchBatch, "k2");
  const std::vector<std::string_view> views(many.begin(), many.end());
  cache.prefetch(views);
  REQUIRE(cache.lookup("k2", 1, &value));
  CHECK(value == "v2");
  RowCache off(0);
  off.prefetch(keys);
  CHECK_FALSE(off.lookup("k1", 1, &value));
}

TEST_CASE("row cache: prefetch beside inserts, evictions and clears that move the tables",
          "[ch08][row-cache]") {
  RowCache cache(32 * 8192);  // small: the tables grow, evict and are dropped all the time
  std::atomic<bool> stop{false};
  std::thread prefetcher([&] {
    std::vector<std::string> names;
    for (int i = 0; i < 64; ++i) names.push_back("key" + std::to_string(i * 7));
    const std::vector<std::string_view> keys(names.begin(), names.end());
    while (!stop.load()) cache.prefetch(std::span(keys).subspan(0, 32));
  });
  std::string value;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 2000; ++i) cache.insert("key" + std::to_string(i), std::string(50, 'v'), 1);
    if (round % 5 == 4) cache.clear();
  }
  stop = true;
  prefetcher.join();
  cache.insert("last", "value", 1);
  REQUIRE(cache.lookup("last", 1, &value));
  CHECK(value == "value");
  CHECK(cache.bytes() <= 32 * 8192);
}
