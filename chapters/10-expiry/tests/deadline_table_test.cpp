// DeadlineTable: against a std::map under random sets and erases (with keys made to collide
// in the table's low bits, so that probing and the backward shift are exercised); take_due
// goes round once, takes exactly the due keys, and the table shrinks after a wave.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "10-expiry/deadline_table.hpp"

using vkv::storage::DeadlineTable;

namespace {

// Hashes with few distinct low bits: many keys share a home slot.
std::uint64_t crowded_hash(int k) { return (static_cast<std::uint64_t>(k) << 32) | (k % 5); }

// How many keys one round looks at, taking none (nothing is due before INT64_MIN + 1).
std::size_t count_in_a_round(DeadlineTable& t) {
  std::vector<std::string> due;
  std::size_t cursor = 0;
  std::size_t looked = 0;
  while (!t.take_due(&cursor, INT64_MIN, 7, &due, &looked)) {
  }
  REQUIRE(due.empty());
  return looked;
}

}  // namespace

TEST_CASE("deadline table: random sets and erases match a map", "[ch10]") {
  DeadlineTable t;
  std::map<int, std::int64_t> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 20000; ++step) {
    const int k = static_cast<int>(rng() % 300);
    const std::string key = "key" + std::to_string(k);
    if (rng() % 3 == 0) {
      CHECK(t.erase(crowded_hash(k)) == (model.erase(k) == 1));
    } else {
      const std::int64_t deadline = rng() % 1000;
      t.set(crowded_hash(k), key, deadline);
      model[k] = deadline;
    }
    REQUIRE(t.size() == model.size());
  }
  // Every key once, and exactly the due ones taken at 500.
  std::vector<std::string> due;
  std::size_t cursor = 0;
  std::size_t looked = 0;
  while (!t.take_due(&cursor, 500, 13, &due, &looked)) {
  }
  std::size_t expected_due = 0;
  for (const auto& [k, d] : model) expected_due += d <= 500;
  CHECK(due.size() == expected_due);
  CHECK(looked >= model.size());
  for (const auto& key : due) CHECK(model.at(std::stoi(key.substr(3))) <= 500);
  CHECK(t.size() == model.size() - expected_due);
  CHECK(count_in_a_round(t) == t.size());
}

TEST_CASE("deadline table: a new deadline replaces the old, and the table shrinks after a wave",
          "[ch10]") {
  DeadlineTable t;
  t.set(1, "a", 100);
  t.set(1, "a", 200);
  CHECK(t.size() == 1);
  for (int k = 0; k < 10000; ++k) t.set(crowded_hash(k) * 2654435761u, "k" + std::to_string(k), k);
  std::vector<std::string> due;
  std::size_t cursor = 0;
  std::size_t looked = 0;
  while (!t.take_due(&cursor, 1'000'000, 1000, &due, &looked)) {
  }
  CHECK(due.size() == 10001);
  CHECK(t.size() == 0);
  t.set(5, "again", 1);  // usable after shrinking
  CHECK(t.erase(5));
  CHECK_FALSE(t.erase(5));
}

TEST_CASE("deadline table: the smallest and largest deadlines are kept, and prefetch is only a hint",
          "[ch10]") {
  DeadlineTable t;
  t.prefetch(42);  // nothing allocated yet: a hint with nowhere to point does nothing
  t.set(crowded_hash(1), "oldest", INT64_MIN);  // the free slots' marker: kept a moment later
  t.set(crowded_hash(2), "newest", INT64_MAX);
  t.set(crowded_hash(3), "now", 1000);
  REQUIRE(t.size() == 3);
  t.prefetch(crowded_hash(1));
  std::vector<std::string> due;
  std::size_t cursor = 0;
  std::size_t looked = 0;
  while (!t.take_due(&cursor, 1000, 100, &due, &looked)) {
  }
  std::sort(due.begin(), due.end());
  CHECK(due == std::vector<std::string>{"now", "oldest"});
  CHECK(t.size() == 1);
  CHECK(t.erase(crowded_hash(2)));
  t.clear();
  t.prefetch(crowded_hash(2));  // after clear(): still harmless
  CHECK(t.size() == 0);
}
