/// \file
/// The Store contract: one test suite that every implementation of storage::Store runs.
///
/// Usage, in an implementation's test file:
///
///     VKV_STORE_CONTRACT_TESTS("MemoryStore", "[ch02]", [] { return make_memory_store(); })
///
/// where the factory returns a std::unique_ptr<vkv::testing::StoreUnderTest> holding a fresh,
/// empty store (and whatever it needs to live: a temporary directory, say).
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/store.hpp"

namespace vkv::testing {

/// A store made for one contract test, with what it needs kept alive beside it.
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  /// The store under test.
  virtual storage::Store& store() = 0;
};

/// Wraps a store that needs nothing else.
template <typename S>
class PlainStoreUnderTest : public StoreUnderTest {
 public:
  /// The wrapped store.
  storage::Store& store() override { return store_; }

 private:
  S store_;
};

namespace contract {

/// The value of `key`, or "<not found>"; fails the test on any other status.
inline std::string get_or_absent(storage::Store& s, std::string_view key) {
  std::string value;
  Status st = s.get(key, &value);
  if (st.is_not_found()) return "<not found>";
  REQUIRE(st.is_ok());
  return value;
}

/// A random byte string of length [min_len, max_len], any byte values.
inline std::string random_bytes(std::mt19937& rng, std::size_t min_len, std::size_t max_len) {
  std::string s(min_len + rng() % (max_len - min_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() % 256);
  return s;
}

inline void empty_store_finds_nothing(storage::Store& s) {
  CHECK(get_or_absent(s, "missing") == "<not found>");
}

inline void set_then_get(storage::Store& s) {
  REQUIRE(s.set("foo", "bar").is_ok());
  CHECK(get_or_absent(s, "foo") == "bar");
  CHECK(get_or_absent(s, "fo") == "<not found>");
  CHECK(get_or_absent(s, "foo2") == "<not found>");
}

inline void overwrite_keeps_latest(storage::Store& s) {
  REQUIRE(s.set("k", "one").is_ok());
  REQUIRE(s.set("k", "two-longer").is_ok());
  REQUIRE(s.set("k", "3").is_ok());
  CHECK(get_or_absent(s, "k") == "3");
}

inline void del_removes_and_is_idempotent(storage::Store& s) {
  REQUIRE(s.set("k", "v").is_ok());
  REQUIRE(s.del("k").is_ok());
  CHECK(get_or_absent(s, "k") == "<not found>");
  CHECK(s.del("k").is_ok());
  CHECK(s.del("never-there").is_ok());
  REQUIRE(s.set("k", "again").is_ok());
  CHECK(get_or_absent(s, "k") == "again");
}

inline void empty_value_is_a_value(storage::Store& s) {
  REQUIRE(s.set("e", "").is_ok());
  std::string value = "junk";
  REQUIRE(s.get("e", &value).is_ok());
  CHECK(value.empty());
}

inline void binary_keys_and_values(storage::Store& s) {
  const std::string key("k\0\n\r\xff \"", 7);
  const std::string value("\0\0\x01\n\r\t\xfe\"\\ end", 13);
  REQUIRE(s.set(key, value).is_ok());
  CHECK(get_or_absent(s, key) == value);
  CHECK(get_or_absent(s, std::string("k\0", 2)) == "<not found>");
  const std::string big(256 * 1024, 'x');
  REQUIRE(s.set("big", big).is_ok());
  CHECK(get_or_absent(s, "big") == big);
}

inline void matches_a_map_model(storage::Store& s) {
  std::mt19937 rng(7);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    const std::string key = "key" + std::to_string(rng() % 500);
    switch (rng() % 4) {
      case 0:
      case 1: {
        const std::string value = random_bytes(rng, 0, 40);
        REQUIRE(s.set(key, value).is_ok());
        model[key] = value;
        break;
      }
      case 2:
        REQUIRE(s.del(key).is_ok());
        model.erase(key);
        break;
      default: {
        auto it = model.find(key);
        REQUIRE(get_or_absent(s, key) == (it == model.end() ? "<not found>" : it->second));
      }
    }
  }
  for (int i = 0; i < 500; ++i) {
    const std::string key = "key" + std::to_string(i);
    auto it = model.find(key);
    REQUIRE(get_or_absent(s, key) == (it == model.end() ? "<not found>" : it->second));
  }
}

inline void many_threads_at_once(storage::Store& s) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 300;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&s, &failures, t] {
      for (int i = 0; i < kKeys; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        const std::string value = "v" + std::to_string(i * t);
        if (!s.set(key, value).is_ok()) ++failures[t];
        std::string got;
        if (!s.get(key, &got).is_ok() || got != value) ++failures[t];
        if (i % 3 == 0 && !s.del(key).is_ok()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) CHECK(failures[t] == 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kKeys; ++i) {
      const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
      CHECK(get_or_absent(s, key) == (i % 3 == 0 ? "<not found>" : "v" + std::to_string(i * t)));
    }
  }
}

}  // namespace contract
}  // namespace vkv::testing

#define VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, TITLE, FN)              \
  TEST_CASE(NAME ": " TITLE, TAG "[contract]") {                       \
    auto under_test = (FACTORY)();                                     \
    ::vkv::testing::contract::FN(under_test->store());                 \
  }

/// Defines the Store contract's test cases for one implementation. NAME names it in the test
/// titles, TAG is the chapter's tag ("[ch02]"), FACTORY a callable returning a
/// std::unique_ptr<vkv::testing::StoreUnderTest> with a fresh, empty store.
#define VKV_STORE_CONTRACT_TESTS(NAME, TAG, FACTORY)                                              \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "an empty store finds nothing", empty_store_finds_nothing) \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "set then get gives the value back", set_then_get)         \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "overwrite keeps the latest value", overwrite_keeps_latest) \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "del removes, and deleting twice is fine",               \
                     del_removes_and_is_idempotent)                                              \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "the empty value is a value", empty_value_is_a_value)    \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "keys and values are any bytes", binary_keys_and_values) \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "random operations match a std::map", matches_a_map_model) \
  VKV_CONTRACT_CASE_(NAME, TAG, FACTORY, "many threads at once", many_threads_at_once)
