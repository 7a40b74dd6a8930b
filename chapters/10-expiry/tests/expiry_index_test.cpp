// ExpiryIndex: keys noted with deadlines are found by sampling once due, each once; a new
// deadline replaces the old; no deadline forgets the key; a sample looks at what it was
// asked to and goes round; the tables shrink after a wave; many threads at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "10-expiry/expiry_index.hpp"

using vkv::storage::ExpiryIndex;
using vkv::storage::ExpirySample;

namespace {

// Samples until a whole round finds nothing more: every due key, each once.
std::vector<std::string> take_all_due(ExpiryIndex& index, std::int64_t now) {
  std::vector<std::string> due;
  for (;;) {
    const ExpirySample s = index.sample_due(now, 1000, &due);
    if (s.due == 0 && s.looked < 1000) return due;
  }
}

}  // namespace

TEST_CASE("due keys are taken once, and only when due", "[ch10]") {
  ExpiryIndex index;
  index.note("a", 100);
  index.note("b", 200);
  index.note("c", std::nullopt);  // no deadline: not held
  CHECK(index.size() == 2);
  CHECK(take_all_due(index, 99).empty());
  CHECK(take_all_due(index, 150) == std::vector<std::string>{"a"});
  CHECK(take_all_due(index, 150).empty());
  CHECK(take_all_due(index, 1000) == std::vector<std::string>{"b"});
  CHECK(index.size() == 0);
}

TEST_CASE("a new deadline replaces the old one, and none forgets the key", "[ch10]") {
  ExpiryIndex index;
  index.note("k", 100);
  index.note("k", 500);
  CHECK(index.size() == 1);
  CHECK(take_all_due(index, 200).empty());
  CHECK(take_all_due(index, 500).size() == 1);
  index.note("k", 100);
  index.note("k", std::nullopt);
  CHECK(index.size() == 0);
  CHECK(take_all_due(index, 1000).empty());
}

TEST_CASE("a sample looks at as many keys as asked, and goes round the index", "[ch10]") {
  ExpiryIndex index;
  for (int i = 0; i < 100; ++i) index.note("key" + std::to_string(i), i < 50 ? 10 : 10'000);
  std::vector<std::string> due;
  std::size_t looked = 0;
  std::size_t calls = 0;
  // Rounds of samples of 7: each call looks at 7 or a little more (whole buckets), until a
  // round has seen all 100; the 50 due are taken out on the way.
  while (due.size() < 50) {
    const ExpirySample s = index.sample_due(100, 7, &due);
    CHECK(s.looked >= std::min<std::size_t>(7, index.size() + s.due));
    looked += s.looked;
    REQUIRE(++calls < 100);
  }
  CHECK(looked >= 100);
  CHECK(index.size() == 50);
  std::sort(due.begin(), due.end());
  CHECK(std::unique(due.begin(), due.end()) == due.end());
  for (const auto& key : due) CHECK(std::stoi(key.substr(3)) < 50);
  // Nothing more is due: a sample goes once round, sees the 50 left (a few may be seen
  // twice, moved by the removals), takes nothing.
  const ExpirySample rest = index.sample_due(100, 1000, &due);
  CHECK(rest.looked >= 50);
  CHECK(rest.due == 0);
}

TEST_CASE("after a wave the index holds nothing and a sample looks at nothing", "[ch10]") {
  ExpiryIndex index;
  for (int i = 0; i < 100'000; ++i) index.note("k" + std::to_string(i), i);
  CHECK(take_all_due(index, 100'000).size() == 100'000);
  CHECK(index.size() == 0);
  std::vector<std::string> due;
  CHECK(index.sample_due(100'000, 20, &due).looked == 0);
}

TEST_CASE("the index under many threads holds each key once", "[ch10]") {
  ExpiryIndex index;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&index, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string(i % 500);
        index.note(key, (i + t) % 7 == 0 ? std::nullopt : std::optional<std::int64_t>(i));
      }
    });
  }
  std::vector<std::string> due;
  std::thread taker([&] {
    for (int i = 0; i < 100; ++i) index.sample_due(50, 10, &due);
  });
  for (auto& w : writers) w.join();
  taker.join();
  CHECK(index.size() <= 500);
  const auto rest = take_all_due(index, INT64_MAX);
  CHECK(index.size() == 0);
  CHECK(rest.size() <= 500);
  auto sorted = rest;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::unique(sorted.begin(), sorted.end()) == sorted.end());
}
