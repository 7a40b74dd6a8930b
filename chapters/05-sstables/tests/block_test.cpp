// Blocks: what BlockBuilder writes, Block reads back, seeks find, and corrupt bytes cannot
// turn into a crash or an out-of-range read.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "05-sstables/block.hpp"
#include "05-sstables/block_builder.hpp"
#include "05-sstables/table_builder.hpp"

using vkv::storage::Block;
using vkv::storage::BlockBuilder;
using Entries = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string build(const Entries& entries, int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : entries) builder.add(k, v);
  return std::string(builder.finish());
}

Entries read_all(const Block& block) {
  Entries out;
  Block::Iterator it(block);
  for (it.seek_to_first(); it.valid(); it.next()) out.emplace_back(it.key(), it.value());
  REQUIRE(it.status().is_ok());
  return out;
}

// Random binary keys (every byte value, lengths 0..20), sorted and distinct.
Entries random_entries(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, std::string> m;
  while (m.size() < n) {
    std::string key(rng() % 21, '\0');
    for (auto& c : key) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3);
    m[key] = std::string(rng() % 40, static_cast<char>(rng()));
  }
  return Entries(m.begin(), m.end());
}

// The key a seek for `target` must land on, or "" with found=false past the end.
const std::pair<std::string, std::string>* expected_seek(const Entries& e,
                                                         const std::string& target) {
  for (const auto& kv : e) {
    if (kv.first >= target) return &kv;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a block gives back what was added, for every restart interval", "[ch05][block]") {
  const Entries entries = {
      {"", "empty key"},        // the empty key: nothing to share with
      {"a", ""},                // empty value
      {"ab", "prefix of the next"},
      {"abc", "v"},
      {"abd", "shares 2"},
      {"b", "shares nothing"},
      {std::string("b\0\0", 3), std::string("nul\0bytes", 9)},
      {std::string("b\0\x01", 3), "binary"},
      {"\x7f", "del"},
      {"\x80\xff", "high bytes sort after low ones"},
      {"\xff\xff\xff", "last"},
  };
  for (int interval : {1, 2, 3, 16}) {
    auto block = Block::parse(build(entries, interval));
    REQUIRE(block.is_ok());
    CHECK(read_all(*block) == entries);
  }
}

TEST_CASE("random binary entries round-trip and every seek lands right", "[ch05][block]") {
  const Entries entries = random_entries(500, 7);
  for (int interval : {1, 16}) {
    auto block = Block::parse(build(entries, interval));
    REQUIRE(block.is_ok());
    REQUIRE(read_all(*block) == entries);
    Block::Iterator it(*block);
    for (const auto& [k, v] : entries) {
      it.seek(k);
      REQUIRE(it.valid());
      CHECK(it.key() == k);
      CHECK(it.value() == v);
      // Just after k (k + "\0" is the next possible key): lands on k's successor.
      const std::string after = k + std::string(1, '\0');
      const auto* want = expected_seek(entries, after);
      it.seek(after);
      REQUIRE(it.valid() == (want != nullptr));
      if (want != nullptr) CHECK(it.key() == want->first);
    }
    it.seek(std::string(30, '\xff'));
    CHECK_FALSE(it.valid());
    CHECK(it.status().is_ok());
  }
}

TEST_CASE("an empty block has no entries", "[ch05][block]") {
  BlockBuilder builder;
  CHECK(builder.empty());
  auto block = Block::parse(std::string(builder.finish()));
  REQUIRE(block.is_ok());
  Block::Iterator it(*block);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek("x");
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}

TEST_CASE("prefix compression stores shared key bytes once", "[ch05][block]") {
  Entries entries;
  for (int i = 0; i < 100; ++i) entries.emplace_back("user:1000000" + std::to_string(100 + i), "");
  const std::string block = build(entries, 16);
  std::size_t key_bytes = 0;
  for (const auto& e : entries) key_bytes += e.first.size();
  CHECK(block.size() < key_bytes / 2);
}

TEST_CASE("the builder resets for the next block", "[ch05][block]") {
  BlockBuilder builder;
  builder.add("z", "1");
  (void)builder.finish();
  builder.reset();
  builder.add("a", "2");  // smaller than before the reset: allowed
  CHECK(builder.last_key() == "a");
  auto block = Block::parse(std::string(builder.finish()));
  REQUIRE(block.is_ok());
  CHECK(read_all(*block) == Entries{{"a", "2"}});
}

TEST_CASE("malformed restart arrays are refused", "[ch05][block]") {
  CHECK(Block::parse("").status().is_corruption());
  CHECK(Block::parse("ab").status().is_corruption());
  // A restart count larger than the block.
  CHECK(Block::parse(std::string("\x09\x00\x00\x00", 4)).status().is_corruption());
  // Entries but no restart.
  CHECK(Block::parse(std::string("\x00\x01\x00" "a" "\x00\x00\x00\x00", 8)).status()
            .is_corruption());
  // A restart offset past the entries.
  CHECK(Block::parse(std::string("\x00\x01\x00" "a" "\x05\x00\x00\x00" "\x01\x00\x00\x00", 12))
            .status()
            .is_corruption());
}

// Damage a block every way a byte can be damaged and use it: every parse, seek and scan must
// end in an entry or a corruption status, never read outside the block (the sanitizer builds
// watch for that).
TEST_CASE("corrupt blocks never crash or read out of range", "[ch05][block]") {
  const Entries entries = random_entries(60, 11);
  const std::string good = build(entries, 4);
  auto exercise = [&](const std::string& bytes) {
    auto block = Block::parse(bytes);
    if (!block.is_ok()) {
      CHECK(block.status().is_corruption());
      return;
    }
    Block::Iterator it(*block);
    std::size_t n = 0;
    for (it.seek_to_first(); it.valid() && n < 10 * entries.size(); it.next()) ++n;
    for (const auto& e : entries) it.seek(e.first);
    CHECK((it.status().is_ok() || it.status().is_corruption()));
  };
  for (std::size_t len = 0; len < good.size(); ++len) exercise(good.substr(0, len));
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (unsigned char b : {0x00, 0x7f, 0x80, 0xff}) {
      std::string bad = good;
      bad[pos] = static_cast<char>(b);
      exercise(bad);
    }
  }
}

TEST_CASE("shortest_separator lies between its two keys", "[ch05][block]") {
  using vkv::storage::shortest_separator;
  CHECK(shortest_separator("the quick brown fox", "the who") == "the r");
  CHECK(shortest_separator("abc", "abd") == "abc");   // no room between c and d
  CHECK(shortest_separator("ab", "abc") == "ab");     // a prefix of b: a itself
  CHECK(shortest_separator("a\xff\x01", "b") == "a\xff\x01");  // no room between a and b
  CHECK(shortest_separator("\x01zzzz", "\x05") == "\x02");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 10000; ++i) {
    std::string a(rng() % 6, '\0');
    std::string b(rng() % 6, '\0');
    for (auto& c : a) c = static_cast<char>(rng() % 4 == 0 ? 0xff : rng() % 4);
    for (auto& c : b) c = static_cast<char>(rng() % 4 == 0 ? 0xff : rng() % 4);
    if (a >= b) continue;
    const std::string s = shortest_separator(a, b);
    CHECK(a <= s);
    CHECK(s < b);
    CHECK(s.size() <= a.size());
  }
}
