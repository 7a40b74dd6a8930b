// ExpiringStore: the Store and OrderedStore contracts over chapter 8's store; expired keys
// gone for every read at once, in the memtable, after a flush, after compaction and across a
// restart; deadlines kept or cleared as Redis does; the index; a value no chapter 10 store
// wrote.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "10-expiry/expiring_store.hpp"
#include "10-expiry/tests/expiring_fixture.hpp"

using vkv::Status;
using vkv::storage::ExpiringStore;
using vkv::storage::ManualClock;
using vkv::storage::UnixMillis;

namespace {

using Expiring = vkv::testing::ExpiringFixture;

std::string get(ExpiringStore& s, std::string_view key) {
  std::string v;
  const Status st = s.get(key, &v);
  if (st.is_not_found()) return "<not found>";
  REQUIRE(st.is_ok());
  return v;
}

std::size_t scan_count(ExpiringStore& s) {
  std::size_t n = 0;
  std::optional<std::string> from = std::string();
  while (from) {
    vkv::storage::ScanPage page;
    REQUIRE(s.scan(*from, std::nullopt, 7, &page).is_ok());
    n += page.entries.size();
    from = page.next;
  }
  return n;
}

}  // namespace

VKV_STORE_CONTRACT_TESTS("ExpiringStore", "[ch10]", [] { return std::make_unique<Expiring>(); })
VKV_SCAN_CONTRACT_TESTS("ExpiringStore", "[ch10]", [] { return std::make_unique<Expiring>(); })

TEST_CASE("an expired key is gone for every read at once", "[ch10]") {
  Expiring e;
  const UnixMillis now = e.clock.now();
  REQUIRE(e.x().put("soon", "v1", now + 1000).is_ok());
  REQUIRE(e.x().put("later", "v2", now + 5000).is_ok());
  REQUIRE(e.x().set("never", "v3").is_ok());
  std::string value;
  std::optional<UnixMillis> deadline;
  REQUIRE(e.x().read("soon", &value, &deadline).is_ok());
  CHECK(value == "v1");
  CHECK(deadline == now + 1000);
  CHECK(scan_count(e.x()) == 3);

  e.clock.advance(1000);  // exactly the deadline: gone
  CHECK(get(e.x(), "soon") == "<not found>");
  CHECK(e.x().read("soon", &value, &deadline).is_not_found());
  CHECK(get(e.x(), "later") == "v2");
  CHECK(scan_count(e.x()) == 2);
  e.clock.advance(4000);
  CHECK(get(e.x(), "later") == "<not found>");
  CHECK(get(e.x(), "never") == "v3");
  CHECK(scan_count(e.x()) == 1);
}

TEST_CASE("deadlines are kept through a flush, a compaction and a restart", "[ch10]") {
  Expiring e;
  const UnixMillis now = e.clock.now();
  for (int i = 0; i < 3000; ++i) {
    const std::string key = "key" + std::to_string(i);
    REQUIRE(e.x().put(key, std::string(100, 'v'), i % 2 ? std::optional(now + 1000 + i) : std::nullopt).is_ok());
  }
  e.flush();
  REQUIRE(e.levels().wait_until_compacted().is_ok());
  e.open();  // a restart: the index starts empty, the deadlines are on disk
  CHECK(e.x().index().size() == 0);
  std::size_t noted = 0;
  REQUIRE(e.x().rebuild_index(&noted).is_ok());
  CHECK(noted == 1500);
  CHECK(e.x().index().size() == 1500);
  std::optional<UnixMillis> deadline;
  std::string value;
  REQUIRE(e.x().read("key7", &value, &deadline).is_ok());
  CHECK(deadline == now + 1007);
  e.clock.advance(5000);
  CHECK(get(e.x(), "key7") == "<not found>");
  CHECK(get(e.x(), "key8") == std::string(100, 'v'));
  CHECK(scan_count(e.x()) == 1500);
}

TEST_CASE("set clears a deadline, keeping_deadlines keeps it, put replaces it", "[ch10]") {
  Expiring e;
  const UnixMillis now = e.clock.now();
  REQUIRE(e.x().put("k", "1", now + 100).is_ok());
  REQUIRE(e.x().keeping_deadlines().set("k", "2").is_ok());
  std::string value;
  std::optional<UnixMillis> deadline;
  REQUIRE(e.x().read("k", &value, &deadline).is_ok());
  CHECK(value == "2");
  CHECK(deadline == now + 100);
  CHECK(e.x().index().size() == 1);
  REQUIRE(e.x().set("k", "3").is_ok());
  REQUIRE(e.x().read("k", &value, &deadline).is_ok());
  CHECK_FALSE(deadline);
  CHECK(e.x().index().size() == 0);
  // keeping_deadlines on an expired key: the key was absent, so no deadline is kept.
  REQUIRE(e.x().put("gone", "old", now - 1).is_ok());
  REQUIRE(e.x().keeping_deadlines().set("gone", "new").is_ok());
  REQUIRE(e.x().read("gone", &value, &deadline).is_ok());
  CHECK(value == "new");
  CHECK_FALSE(deadline);
  REQUIRE(e.x().del("k").is_ok());
  CHECK(get(e.x(), "k") == "<not found>");
}

TEST_CASE("delete_if_expired deletes only a key whose stored deadline has come", "[ch10]") {
  Expiring e;
  const UnixMillis now = e.clock.now();
  REQUIRE(e.x().put("a", "v", now + 10).is_ok());
  REQUIRE(e.x().put("b", "v", now + 10).is_ok());
  REQUIRE(e.x().put("b", "v", now + 10'000).is_ok());  // extended since
  bool deleted = false;
  REQUIRE(e.x().delete_if_expired("a", now + 10, &deleted).is_ok());
  CHECK(deleted);
  REQUIRE(e.x().delete_if_expired("b", now + 10, &deleted).is_ok());
  CHECK_FALSE(deleted);
  REQUIRE(e.x().delete_if_expired("missing", now + 10, &deleted).is_ok());
  CHECK_FALSE(deleted);
  // The raw store: a's entry is a tombstone now, b's is still there.
  std::string raw;
  CHECK(e.lsm().get("a", &raw).is_not_found());
  CHECK(e.lsm().get("b", &raw).is_ok());
}

TEST_CASE("a value no chapter 10 store wrote is reported as corruption", "[ch10]") {
  Expiring e;
  REQUIRE(e.lsm().set("old", "written by chapter 9").is_ok());
  std::string value;
  const Status s = e.x().get("old", &value);
  CHECK(s.is_corruption());
  vkv::storage::ScanPage page;
  CHECK(e.x().scan("", std::nullopt, 10, &page).is_corruption());
}
