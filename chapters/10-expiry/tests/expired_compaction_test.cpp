// Compaction with expired_values(): expired entries leave the tables, an older value below an
// expired one never comes back, live keys and their deadlines stay.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "10-expiry/expiring_store.hpp"
#include "common/testing/test_util.hpp"

using vkv::storage::ExpiringStore;
using vkv::storage::ManualClock;
using vkv::storage::UnixMillis;

TEST_CASE("compaction drops expired values and keeps older ones buried", "[ch10]") {
  vkv::testing::TempDir dir;
  ManualClock clock;
  auto levels = vkv::testing::tiny_levels();
  levels.dead_value = vkv::storage::expired_values(clock);
  auto s = vkv::testing::open_leveled(dir.file("data"), levels);
  vkv::storage::LsmScanner scanner(*s.store);
  ExpiringStore store(*s.store, scanner, clock);
  const UnixMillis now = clock.now();

  // Old values with no deadline, pushed down the levels.
  for (int i = 0; i < 2000; ++i) {
    REQUIRE(store.set("key" + std::to_string(i), std::string(100, 'o')).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->compact_all().is_ok());
  // Newer values for half of them that expire soon, and 500 new keys that expire too.
  for (int i = 0; i < 2000; i += 2) {
    REQUIRE(store.put("key" + std::to_string(i), std::string(100, 'n'), now + 1000).is_ok());
  }
  for (int i = 0; i < 500; ++i) {
    REQUIRE(store.put("short" + std::to_string(i), std::string(100, 's'), now + 1000).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  const auto before = s.store->stats().table_entries;

  clock.advance(1000);
  REQUIRE(s.set->compact_all().is_ok());
  REQUIRE(s.set->compact_all().is_ok());  // the tombstones written in the first go too
  CHECK(s.set->stats().dead_values >= 1500);
  // What is left: the 1000 keys nothing expired.
  CHECK(s.store->stats().table_entries == 1000);
  CHECK(before > s.store->stats().table_entries);
  std::string value;
  for (int i = 0; i < 2000; ++i) {
    const vkv::Status st = store.get("key" + std::to_string(i), &value);
    if (i % 2 == 0) {
      CHECK(st.is_not_found());  // the expired value is gone, and the old one stays hidden
    } else {
      REQUIRE(st.is_ok());
      CHECK(value == std::string(100, 'o'));
    }
  }
  CHECK(store.get("short7", &value).is_not_found());
}
