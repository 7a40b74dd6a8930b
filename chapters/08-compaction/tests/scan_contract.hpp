/// \file
/// The OrderedStore contract: one test suite that every store with scans runs.
///
/// Usage, in an implementation's test file:
///
///     VKV_SCAN_CONTRACT_TESTS("LsmScanner", "[ch08]", [] { return make_scanned_store(); })
///
/// where the factory returns a std::unique_ptr<vkv::testing::ScanStoreUnderTest> holding a
/// fresh, empty store that can be written (Store) and scanned (OrderedStore).
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/store.hpp"
#include "02-parsing/tests/store_contract.hpp"
#include "08-compaction/ordered_store.hpp"

namespace vkv::testing {

/// A store made for one scan contract test, with what it needs kept alive beside it.
class ScanStoreUnderTest {
 public:
  virtual ~ScanStoreUnderTest() = default;
  /// Where the test writes.
  virtual storage::Store& store() = 0;
  /// What the test scans: the same keys.
  virtual storage::OrderedStore& ordered() = 0;
  /// Moves what was written so far to where older entries live, for a store that keeps
  /// entries in more than one place (an LSM store flushes its memtable); else nothing. The
  /// tests call it between writes, so that a scan merges entries of every age.
  virtual void flush() {}
};

namespace scan_contract {

/// Keys and their values, as a scan should find them.
using Model = std::map<std::string, std::string>;

/// One page of [start, end); fails the test on an error.
inline storage::ScanPage page_of(storage::OrderedStore& s, std::string_view start,
                                 std::optional<std::string_view> end, std::size_t limit) {
  storage::ScanPage page;
  const Status st = s.scan(start, end, limit, &page);
  INFO(st.to_string());
  REQUIRE(st.is_ok());
  return page;
}

/// A page's keys, "a b c", then " | NEXT k" or " | END".
inline std::string keys_of(const storage::ScanPage& page) {
  std::string out;
  for (const auto& e : page.entries) out += (out.empty() ? "" : " ") + e.key;
  return out + (page.next ? " | NEXT " + *page.next : " | END");
}

/// Every entry of [start, end), read page by page as a client would, each page at most
/// `limit` long; checks that each page goes on where the last one said and is not empty
/// before the end.
inline Model scan_all(storage::OrderedStore& s, std::string_view start,
                      std::optional<std::string_view> end, std::size_t limit) {
  Model out;
  std::string from(start);
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 100000);
    const storage::ScanPage page = page_of(s, from, end, limit);
    REQUIRE(page.entries.size() <= limit);
    for (const auto& e : page.entries) {
      REQUIRE(out.find(e.key) == out.end());
      if (!out.empty()) REQUIRE(out.rbegin()->first < e.key);
      out[e.key] = e.value;
    }
    if (!page.next) return out;
    REQUIRE_FALSE(page.entries.empty());
    REQUIRE(page.entries.back().key < *page.next);
    from = *page.next;
  }
}

/// The entries of `model` in [start, end).
inline Model model_range(const Model& model, std::string_view start,
                         std::optional<std::string_view> end) {
  Model out;
  for (auto it = model.lower_bound(std::string(start)); it != model.end(); ++it) {
    if (end && it->first >= *end) break;
    out.insert(*it);
  }
  return out;
}

inline void empty_store_scans_nothing(ScanStoreUnderTest& u) {
  CHECK(keys_of(page_of(u.ordered(), "", std::nullopt, 10)) == " | END");
  CHECK(keys_of(page_of(u.ordered(), "a", "b", 1)) == " | END");
}

inline void keys_in_order_within_the_range(ScanStoreUnderTest& u) {
  for (const char* k : {"d", "b", "a", "c", "bb"}) REQUIRE(u.store().set(k, k).is_ok());
  storage::OrderedStore& s = u.ordered();
  CHECK(keys_of(page_of(s, "", std::nullopt, 10)) == "a b bb c d | END");
  CHECK(keys_of(page_of(s, "b", std::nullopt, 10)) == "b bb c d | END");  // start is in
  CHECK(keys_of(page_of(s, "b", "c", 10)) == "b bb | END");              // end is out
  CHECK(keys_of(page_of(s, "ba", "bz", 10)) == "bb | END");  // between keys
  CHECK(keys_of(page_of(s, "c", "c", 10)) == " | END");      // an empty range
  CHECK(keys_of(page_of(s, "e", std::nullopt, 10)) == " | END");
  CHECK(page_of(s, "bb", std::nullopt, 1).entries.front().value == "bb");
}

inline void newest_value_wins_and_deleted_keys_are_left_out(ScanStoreUnderTest& u) {
  storage::Store& w = u.store();
  for (const char* k : {"a", "b", "c", "e"}) REQUIRE(w.set(k, "1").is_ok());
  u.flush();
  REQUIRE(w.set("a", "2").is_ok());
  REQUIRE(w.del("b").is_ok());
  u.flush();
  REQUIRE(w.set("a", "3").is_ok());  // in the newest place, over two older values
  REQUIRE(w.del("c").is_ok());       // a tombstone over an older table's value
  REQUIRE(w.set("d", "1").is_ok());
  REQUIRE(w.del("zz").is_ok());      // a tombstone of a key never written
  const Model expected{{"a", "3"}, {"d", "1"}, {"e", "1"}};
  CHECK(scan_all(u.ordered(), "", std::nullopt, 10) == expected);
  CHECK(keys_of(page_of(u.ordered(), "b", std::nullopt, 1)) == "d | NEXT e");
  u.flush();
  CHECK(scan_all(u.ordered(), "", std::nullopt, 10) == expected);
  REQUIRE(w.set("b", "again").is_ok());  // written after its delete: back
  CHECK(scan_all(u.ordered(), "", std::nullopt, 10).at("b") == "again");
}

inline void limit_and_next_page(ScanStoreUnderTest& u) {
  for (int i = 0; i < 20; ++i) {
    const std::string key = (i < 10 ? "k0" : "k") + std::to_string(i);
    REQUIRE(u.store().set(key, "v" + std::to_string(i)).is_ok());
    if (i == 12) u.flush();
  }
  storage::OrderedStore& s = u.ordered();
  CHECK(keys_of(page_of(s, "", std::nullopt, 5)) == "k00 k01 k02 k03 k04 | NEXT k05");
  CHECK(keys_of(page_of(s, "k15", std::nullopt, 5)) == "k15 k16 k17 k18 k19 | END");  // exact
  CHECK(keys_of(page_of(s, "k15", std::nullopt, 4)) == "k15 k16 k17 k18 | NEXT k19");
  CHECK(keys_of(page_of(s, "k05", "k08", 3)) == "k05 k06 k07 | END");  // the range ends
  CHECK(keys_of(page_of(s, "k05", "k08", 2)) == "k05 k06 | NEXT k07");
  CHECK(page_of(s, "", std::nullopt, 1000).entries.size() == 20);
  // The next page starts at a live key: deleted ones are passed over.
  REQUIRE(u.store().del("k05").is_ok());
  REQUIRE(u.store().del("k06").is_ok());
  CHECK(keys_of(page_of(s, "k03", std::nullopt, 2)) == "k03 k04 | NEXT k07");
  CHECK(scan_all(s, "", std::nullopt, 1).size() == 18);
}

inline void paging_matches_a_map_model(ScanStoreUnderTest& u) {
  std::mt19937 rng(11);
  std::vector<std::string> keys;  // any bytes, some sharing prefixes
  for (int i = 0; i < 300; ++i) keys.push_back(contract::random_bytes(rng, 1, 6));
  for (int i = 0; i < 100; ++i) keys.push_back(keys[i] + contract::random_bytes(rng, 1, 3));
  Model model;
  const auto check_against_model = [&] {
    CHECK(scan_all(u.ordered(), "", std::nullopt, 1 + rng() % 13) == model);
    for (int r = 0; r < 10; ++r) {
      std::string start = contract::random_bytes(rng, 0, 3);
      std::string end = contract::random_bytes(rng, 0, 3);
      if (end < start) std::swap(start, end);
      CHECK(scan_all(u.ordered(), start, end, 1 + rng() % 13) == model_range(model, start, end));
      CHECK(scan_all(u.ordered(), start, std::nullopt, 50) ==
            model_range(model, start, std::nullopt));
    }
  };
  for (int i = 1; i <= 4000; ++i) {
    const std::string& key = keys[rng() % keys.size()];
    if (rng() % 3 == 0) {
      REQUIRE(u.store().del(key).is_ok());
      model.erase(key);
    } else {
      const std::string value = contract::random_bytes(rng, 0, 60);
      REQUIRE(u.store().set(key, value).is_ok());
      model[key] = value;
    }
    if (i % 700 == 0) u.flush();
    if (i % 1000 == 0) check_against_model();
  }
  check_against_model();
}

inline void keys_and_values_are_any_bytes(ScanStoreUnderTest& u) {
  const std::string nul_key("\0", 1);
  const std::string key("k\0\n\r\xff \"", 7);
  const std::string value("\0\0\x01\n\r\t\xfe\"\\ end", 13);
  REQUIRE(u.store().set(key, value).is_ok());
  REQUIRE(u.store().set(nul_key, "").is_ok());  // the smallest key there is, an empty value
  u.flush();
  REQUIRE(u.store().set("\xff\xff", "last").is_ok());
  const Model expected{{nul_key, ""}, {key, value}, {"\xff\xff", "last"}};
  CHECK(scan_all(u.ordered(), "", std::nullopt, 1) == expected);
  CHECK(keys_of(page_of(u.ordered(), std::string("\0\0", 2), std::nullopt, 1)) ==
        key + " | NEXT \xff\xff");
}

inline void large_values_end_a_page_early(ScanStoreUnderTest& u) {
  constexpr std::size_t kValueBytes = 300 << 10;
  Model model;
  for (int i = 0; i < 8; ++i) {
    const std::string key = "big" + std::to_string(i);
    model[key] = std::string(kValueBytes, static_cast<char>('a' + i));
    REQUIRE(u.store().set(key, model[key]).is_ok());
  }
  const storage::ScanPage page = page_of(u.ordered(), "", std::nullopt, 100);
  REQUIRE(page.next.has_value());
  std::size_t bytes = 0;
  for (const auto& e : page.entries) {
    CHECK(bytes < storage::kMaxScanPageBytes);  // it had room when this entry came
    bytes += e.key.size() + e.value.size();
  }
  CHECK(bytes >= storage::kMaxScanPageBytes);
  CHECK(page.entries.size() == storage::kMaxScanPageBytes / kValueBytes + 1);
  CHECK(scan_all(u.ordered(), "", std::nullopt, 100) == model);
}

inline void scans_beside_writers(ScanStoreUnderTest& u) {
  // Keys written before the scans start stay (with their old or a new value) while a writer
  // overwrites them and adds others: every scan must find each of them, in order.
  constexpr int kOld = 1500;
  const auto old_key = [](int i) { return "p" + std::to_string(10000 + i); };
  for (int i = 0; i < kOld; ++i) REQUIRE(u.store().set(old_key(i), "old").is_ok());
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    std::mt19937 rng(3);
    for (int i = 0; i < 20000 && !done.load(); ++i) {
      if (!u.store().set(old_key(static_cast<int>(rng() % kOld)), "new").is_ok()) ++failures;
      if (!u.store().set("q" + std::to_string(rng()), "x").is_ok()) ++failures;
    }
  });
  for (int round = 0; round < 5; ++round) {
    const Model seen = scan_all(u.ordered(), "", std::nullopt, 97);  // checks the order too
    int old_found = 0;
    for (const auto& [key, value] : seen) {
      if (key[0] == 'p') {
        ++old_found;
        CHECK((value == "old" || value == "new"));
      } else {
        CHECK(value == "x");
      }
    }
    CHECK(old_found == kOld);
  }
  done = true;
  writer.join();
  CHECK(failures.load() == 0);
}

}  // namespace scan_contract
}  // namespace vkv::testing

#define VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY, TITLE, FN)        \
  TEST_CASE(NAME ": " TITLE, TAG "[scan-contract]") {                 \
    auto under_test = (FACTORY)();                                    \
    ::vkv::testing::scan_contract::FN(*under_test);                   \
  }

/// Defines the OrderedStore contract's test cases for one implementation. NAME names it in the
/// test titles, TAG is the chapter's tag ("[ch08]"), FACTORY a callable returning a
/// std::unique_ptr<vkv::testing::ScanStoreUnderTest> with a fresh, empty store.
#define VKV_SCAN_CONTRACT_TESTS(NAME, TAG, FACTORY)                                           \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY, "scan: an empty store has nothing to scan",    \
                          empty_store_scans_nothing)                                         \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY, "scan: keys in order, from start, before end", \
                          keys_in_order_within_the_range)                                    \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY,                                                \
                          "scan: the newest value wins, and deleted keys are left out",          \
                          newest_value_wins_and_deleted_keys_are_left_out)                   \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY,                                                \
                          "scan: at most limit entries, and next is where the next page starts", \
                          limit_and_next_page)                                               \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY,                                                \
                          "scan: paging through any range matches a std::map",               \
                          paging_matches_a_map_model)                                        \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY, "scan: keys and values are any bytes",         \
                          keys_and_values_are_any_bytes)                                     \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY,                                                \
                          "scan: large values end a page before its limit",                  \
                          large_values_end_a_page_early)                                     \
  VKV_SCAN_CONTRACT_CASE_(NAME, TAG, FACTORY,                                                \
                          "scan: pages beside a writer find every key written before",       \
                          scans_beside_writers)
