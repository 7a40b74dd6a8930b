// RowCache: hits only in the epoch an entry was found in, least recently used out first,
// bounded by its capacity; and under a store, never a stale value across flushes.
#include <catch2/catch.hpp>

#include <string>

#include "08-compaction/row_cache.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "common/testing/test_util.hpp"

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
