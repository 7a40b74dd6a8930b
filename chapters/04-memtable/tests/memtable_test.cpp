// Memtable: lookups, tombstones, key order across shards against a std::map model, and the
// memory figure against what the allocator really hands out.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "04-memtable/arena.hpp"
#include "04-memtable/key_hash.hpp"
#include "04-memtable/memtable.hpp"
#include "04-memtable/memtable_shard.hpp"

using vkv::storage::LookupResult;
using vkv::storage::Memtable;

namespace {

// What the model holds for a key: a value, or nullopt for a tombstone.
using Model = std::map<std::string, std::optional<std::string>>;

std::string random_bytes(std::mt19937& rng, std::size_t min_len, std::size_t max_len) {
  std::string s(min_len + rng() % (max_len - min_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() % 256);
  return s;
}

// Keys from a small space, so that sets and dels often hit a key already there; some share
// long prefixes and some hold bytes >= 0x80, where signed and unsigned order differ.
std::string random_key(std::mt19937& rng) {
  switch (rng() % 3) {
    case 0:
      return "k" + std::to_string(rng() % 300);
    case 1:
      return std::string(1 + rng() % 3, static_cast<char>(rng() % 256));
    default:
      return "prefix/" + random_bytes(rng, 0, 2);
  }
}

// Every entry the scan yields, as a model.
Model scan_all(const Memtable& table) {
  Model seen;
  std::string previous;
  bool first = true;
  for (auto it = table.scan(); it.valid(); it.next()) {
    const std::string key(it.key());
    if (!first) REQUIRE(previous < key);  // strictly ascending: sorted, and no duplicates
    first = false;
    previous = key;
    seen[key] = it.is_tombstone() ? std::nullopt : std::optional<std::string>(it.value());
  }
  return seen;
}

void check_lookup_matches(const Memtable& table, const Model& model, const std::string& key) {
  std::string value = "untouched";
  const LookupResult result = table.lookup(key, &value);
  auto it = model.find(key);
  if (it == model.end()) {
    REQUIRE(result == LookupResult::kAbsent);
    REQUIRE(value == "untouched");
  } else if (!it->second) {
    REQUIRE(result == LookupResult::kDeleted);
    REQUIRE(value == "untouched");
  } else {
    REQUIRE(result == LookupResult::kFound);
    REQUIRE(value == *it->second);
  }
}

// A random SET (a value of up to max_value bytes) or, one time in del_one_in, a DEL of a random
// key, applied to the table and to the model alike.
void random_write(Memtable& table, Model& model, std::mt19937& rng, unsigned del_one_in,
                  std::size_t max_value) {
  const std::string key = random_key(rng);
  if (rng() % del_one_in == 0) {
    table.del(key);
    model[key] = std::nullopt;
  } else {
    const std::string value = random_bytes(rng, 0, max_value);
    table.set(key, value);
    model[key] = value;
  }
}

}  // namespace

TEST_CASE("set, overwrite and lookup", "[ch04]") {
  Memtable table;
  std::string value;
  CHECK(table.lookup("a", &value) == LookupResult::kAbsent);
  table.set("a", "1");
  REQUIRE(table.lookup("a", &value) == LookupResult::kFound);
  CHECK(value == "1");
  table.set("a", "a much longer second value");
  REQUIRE(table.lookup("a", &value) == LookupResult::kFound);
  CHECK(value == "a much longer second value");
  table.set("a", "");
  REQUIRE(table.lookup("a", &value) == LookupResult::kFound);
  CHECK(value.empty());
  CHECK(table.entry_count() == 1);
}

TEST_CASE("del leaves a tombstone that a later set replaces", "[ch04]") {
  Memtable table;
  std::string value = "untouched";
  table.set("gone", "v");
  table.del("gone");
  CHECK(table.lookup("gone", &value) == LookupResult::kDeleted);
  CHECK(value == "untouched");

  table.del("never-set");  // still a tombstone: it must hide values of the key on disk
  CHECK(table.lookup("never-set", &value) == LookupResult::kDeleted);
  CHECK(table.entry_count() == 2);

  auto it = table.scan();
  REQUIRE(it.valid());
  CHECK(it.key() == "gone");
  CHECK(it.is_tombstone());
  CHECK(it.value().empty());
  it.next();
  REQUIRE(it.valid());
  CHECK(it.key() == "never-set");
  CHECK(it.is_tombstone());
  it.next();
  CHECK_FALSE(it.valid());

  table.set("gone", "back");
  REQUIRE(table.lookup("gone", &value) == LookupResult::kFound);
  CHECK(value == "back");
  CHECK(table.entry_count() == 2);
}

TEST_CASE("an empty memtable scans nothing", "[ch04]") {
  Memtable table;
  CHECK_FALSE(table.scan().valid());
  CHECK(table.entry_count() == 0);
}

TEST_CASE("a memtable with no shards is refused", "[ch04]") {
  CHECK_THROWS_AS(Memtable(0), std::invalid_argument);
}

TEST_CASE("scan and lookup match a std::map fed the same random operations", "[ch04]") {
  const std::size_t shards = GENERATE(1, 3, 16, 64);
  CAPTURE(shards);
  Memtable table(shards);
  Model model;
  std::mt19937 rng(static_cast<unsigned>(shards));
  for (int i = 0; i < 20000; ++i) {
    random_write(table, model, rng, 4, 64);
    if (i % 7 == 0) check_lookup_matches(table, model, random_key(rng));
  }
  REQUIRE(scan_all(table) == model);
  REQUIRE(table.entry_count() == model.size());
  for (const auto& [key, value] : model) check_lookup_matches(table, model, key);
}

TEST_CASE("scans between writes each link the keys added since the last, in order", "[ch04]") {
  // A scan puts the keys written since the last scan into the skiplist: here every scan finds
  // some already linked and some new, in every shard, with overwrites and dels in between.
  const std::size_t shards = GENERATE(1, 16);
  CAPTURE(shards);
  Memtable table(shards);
  Model model;
  std::mt19937 rng(static_cast<unsigned>(shards) + 7);
  for (int round = 0; round < 40; ++round) {
    const int writes = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < writes; ++i) random_write(table, model, rng, 5, 16);
    CAPTURE(round);
    REQUIRE(scan_all(table) == model);
    REQUIRE(scan_all(table) == model);  // a scan with nothing new to link
  }
}

TEST_CASE("keys compare as unsigned bytes, shortest first on a shared prefix", "[ch04]") {
  Memtable table(4);
  const std::vector<std::string> sorted = {
      std::string(),  std::string("\0", 1), std::string("\0\0", 2), "a", "ab", "b",
      "\x7f",         "\x80",               "\xff",                  "\xff\xff"};
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) table.set(*it, "v");
  std::vector<std::string> scanned;
  for (auto it = table.scan(); it.valid(); it.next()) scanned.emplace_back(it.key());
  CHECK(scanned == sorted);
}

TEST_CASE("long keys with shared prefixes sort as unsigned bytes, a word at a time or not",
          "[ch04]") {
  // The skiplist compares eight bytes at a time: keys that differ in their second or third
  // word, in a high byte (signed as a char, unsigned as a byte), or only in length, or in a
  // tail shorter than a word, must still come out in std::string's order.
  std::mt19937 rng(7);
  const std::string prefix = "user:0000000000:";  // two whole words alike
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) {
    std::string key = prefix.substr(0, rng() % (prefix.size() + 1));
    const std::size_t tail = rng() % 20;
    for (std::size_t j = 0; j < tail; ++j) {
      key += static_cast<char>(rng() % 4 == 0 ? 0x80 + rng() % 128 : 'a' + rng() % 3);
    }
    keys.push_back(key);
  }
  Memtable table(2);
  Model model;
  for (const std::string& key : keys) {
    table.set(key, "v");
    model[key] = "v";
  }
  CHECK(scan_all(table) == model);
}

TEST_CASE("a shard keeps its owner's total equal to its own memory figure", "[ch04]") {
  std::atomic<std::size_t> total{0};
  vkv::storage::MemtableShard shard(1, &total);
  CHECK(total.load() == shard.memory_bytes());
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {  // many index growths and arena blocks
    const std::string key = "key" + std::to_string(rng() % 5000);
    const std::uint64_t hash = vkv::storage::hash_key(key);
    if (i % 5 == 0) {
      shard.del(key, hash);
    } else {
      // Now and then a value too large to share a block, which gets a block of its own.
      const std::size_t big = vkv::storage::Arena::kMaxBlockSize / 2;
      shard.set(key, hash, i % 97 == 0 ? std::string(big, 'b') : random_bytes(rng, 0, 200));
    }
    if (i % 1000 == 0) REQUIRE(total.load() == shard.memory_bytes());
  }
  CHECK(total.load() == shard.memory_bytes());
}

TEST_CASE("values larger than an arena block round-trip", "[ch04]") {
  Memtable table;
  const std::string big(3 * vkv::storage::Arena::kMaxBlockSize + 17, 'x');
  table.set("big", big);
  table.set("small", "s");
  std::string value;
  REQUIRE(table.lookup("big", &value) == LookupResult::kFound);
  CHECK(value == big);
  REQUIRE(table.lookup("small", &value) == LookupResult::kFound);
  CHECK(value == "s");
  CHECK(table.memory_bytes() >= big.size());
}

TEST_CASE("a scanned value stays valid after the key is written again", "[ch04]") {
  Memtable table;
  table.set("k", "first");
  auto it = table.scan();
  REQUIRE(it.valid());
  const std::string_view first = it.value();
  table.set("k", "second");
  table.del("k");
  CHECK(first == "first");  // the old record is still in the arena, unchanged
}

TEST_CASE("memory_bytes counts every entry's bytes and the dead bytes of overwrites", "[ch04]") {
  Memtable table;
  const std::size_t empty = table.memory_bytes();
  const std::string value(100, 'v');
  char key[32];
  for (int i = 0; i < 10000; ++i) {
    std::snprintf(key, sizeof key, "key%013d", i);
    table.set(key, value);
  }
  const std::size_t filled = table.memory_bytes();
  CHECK(filled - empty >= 10000 * (16 + 100));
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < 10000; ++i) {
      std::snprintf(key, sizeof key, "key%013d", i);
      table.set(key, value);  // same size: the old record is left behind as dead bytes
    }
  }
  // Blocks count in full when allocated, so the first overwrites may fill the unused tails
  // of blocks already counted: at most one largest block per shard.
  const std::size_t tails = table.shard_count() * vkv::storage::Arena::kMaxBlockSize;
  CHECK(table.memory_bytes() - filled >= kRounds * 10000 * 100 - tails);
  CHECK(table.entry_count() == 10000);
}

// Sanitizers replace malloc with their own allocator, which glibc's mallinfo2() cannot see, so
// there is nothing to compare against in those builds.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
namespace {

// Bytes the allocator has handed out and not had back: from its heaps, and mmapped directly.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Fills a memtable with `count` entries of 16-byte keys and `value_size`-byte values (each
// key written `writes` times), and checks its own figure against the allocator's.
void check_memory_figure(int count, std::size_t value_size, int writes) {
  const std::string value(value_size, 'v');
  const std::size_t before = heap_in_use();
  std::size_t reported = 0;
  std::size_t real = 0;
  {
    auto table = std::make_unique<Memtable>();
    char key[32];
    for (int w = 0; w < writes; ++w) {
      for (int i = 0; i < count; ++i) {
        std::snprintf(key, sizeof key, "key%013d", i);
        table->set(key, value);
      }
    }
    reported = table->memory_bytes();
    real = heap_in_use() - before;
  }
  CAPTURE(count, value_size, writes, reported, real);
  CHECK(static_cast<double>(reported) >= 0.9 * static_cast<double>(real));
  CHECK(static_cast<double>(reported) <= 1.1 * static_cast<double>(real));
}

}  // namespace

TEST_CASE("memory_bytes is within 10% of what the allocator hands out", "[ch04]") {
  SECTION("100k entries, 100-byte values") { check_memory_figure(100000, 100, 1); }
  SECTION("150k entries, 10-byte values") { check_memory_figure(150000, 10, 1); }
  SECTION("100k entries, each written three times") { check_memory_figure(100000, 100, 3); }
  SECTION("1000 entries, 40 KiB values (each its own heap block)") {
    check_memory_figure(1000, 40 * 1024, 1);
  }
  SECTION("200 entries, 200 KiB values (each its own mmapped block)") {
    check_memory_figure(200, 200 * 1024, 1);
  }
}
#endif
