// ExpiryIndex: keys noted with deadlines come out when due, earliest first, each once; a new
// deadline replaces the old; no deadline forgets the key; many threads at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "10-expiry/expiry_index.hpp"

using vkv::storage::ExpiryIndex;

TEST_CASE("due keys come out once, and only when due", "[ch10]") {
  ExpiryIndex index;
  index.note("a", 100);
  index.note("b", 200);
  index.note("c", std::nullopt);  // no deadline: not held
  CHECK(index.size() == 2);
  std::vector<std::string> due;
  CHECK(index.take_due(99, 10, &due) == 0);
  CHECK(index.take_due(150, 10, &due) == 1);
  CHECK(due == std::vector<std::string>{"a"});
  CHECK(index.take_due(150, 10, &due) == 0);
  CHECK(index.take_due(1000, 10, &due) == 1);
  CHECK(due.back() == "b");
  CHECK(index.size() == 0);
}

TEST_CASE("a new deadline replaces the old one, and none forgets the key", "[ch10]") {
  ExpiryIndex index;
  index.note("k", 100);
  index.note("k", 500);
  CHECK(index.size() == 1);
  std::vector<std::string> due;
  CHECK(index.take_due(200, 10, &due) == 0);
  CHECK(index.take_due(500, 10, &due) == 1);
  index.note("k", 100);
  index.note("k", std::nullopt);
  CHECK(index.size() == 0);
  CHECK(index.take_due(1000, 10, &due) == 0);
}

TEST_CASE("take_due stops at its maximum, earliest first within a shard", "[ch10]") {
  ExpiryIndex index;
  for (int i = 0; i < 100; ++i) index.note("key" + std::to_string(i), 1000 - i);
  std::vector<std::string> due;
  CHECK(index.take_due(2000, 30, &due) == 30);
  CHECK(index.size() == 70);
  while (index.take_due(2000, 30, &due) > 0) {
  }
  CHECK(due.size() == 100);
  std::sort(due.begin(), due.end());
  CHECK(std::unique(due.begin(), due.end()) == due.end());
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
    for (int i = 0; i < 100; ++i) index.take_due(50, 10, &due);
  });
  for (auto& w : writers) w.join();
  taker.join();
  CHECK(index.size() <= 500);
  std::vector<std::string> rest;
  index.take_due(INT64_MAX, 1'000'000, &rest);
  CHECK(index.size() == 0);
  std::sort(rest.begin(), rest.end());
  CHECK(std::unique(rest.begin(), rest.end()) == rest.end());
}
