// The durable store of chapter 3 over the memtable: the Store contract, a restart, and the
// real ch04-memtable program.
#include <catch2/catch.hpp>

#include "03-wal/tests/durable_store_under_test.hpp"
#include "04-memtable/memtable_store.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"

using vkv::storage::MemtableStore;
using vkv::storage::SyncPolicy;
using vkv::testing::DurableStoreUnderTest;

VKV_STORE_CONTRACT_TESTS("DurableStore over MemtableStore (always)", "[ch04]", [] {
  return std::make_unique<DurableStoreUnderTest<MemtableStore>>(SyncPolicy::kAlways);
})
VKV_STORE_CONTRACT_TESTS("DurableStore over MemtableStore (never)", "[ch04]", [] {
  return std::make_unique<DurableStoreUnderTest<MemtableStore>>(SyncPolicy::kNever);
})

TEST_CASE("durable memtable: a restart replays sets and deletes into the memtable", "[ch04]") {
  vkv::testing::TempDir tmp;
  vkv::storage::DurableStoreOptions options;
  options.dir = tmp.file("data");
  {
    auto store = vkv::storage::DurableStore::open(vkv::Env::posix(), options,
                                                  std::make_unique<MemtableStore>());
    REQUIRE(store.is_ok());
    for (int i = 0; i < 1000; ++i) REQUIRE((*store)->set("k" + std::to_string(i), "v").is_ok());
    for (int i = 0; i < 1000; i += 3) REQUIRE((*store)->del("k" + std::to_string(i)).is_ok());
  }
  auto store = vkv::storage::DurableStore::open(vkv::Env::posix(), options,
                                                std::make_unique<MemtableStore>());
  REQUIRE(store.is_ok());
  auto& memtable = static_cast<MemtableStore&>((*store)->inner()).memtable();
  CHECK(memtable.entry_count() == 1000);  // 666 values and 334 tombstones: one entry per key
  std::string value;
  int found = 0;
  for (int i = 0; i < 1000; ++i) found += (*store)->get("k" + std::to_string(i), &value).is_ok();
  CHECK(found == 666);
}

TEST_CASE("ch04-memtable: a session, then a restart that finds it (transcripts)", "[ch04]") {
  vkv::testing::TempDir tmp;
  const std::string dir = std::string(CH04_TRANSCRIPTS);
  for (const char* name : {"restart-1.session", "restart-2.session"}) {
    INFO(name);
    const auto t = vkv::testing::load_transcript(dir, name);
    const auto result = vkv::testing::run_program(CH04_PROGRAM, {"--dir", tmp.file("data")}, t.input);
    CHECK(result.exit_code == 0);
    CHECK(result.out == t.expected);
  }
}

TEST_CASE("ch04-memtable: bad flags and a locked directory", "[ch04]") {
  auto bad = vkv::testing::run_program(CH04_PROGRAM, {"--sync", "sometimes"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad value 'sometimes' for --sync") != std::string::npos);

  vkv::testing::TempDir tmp;
  auto held = vkv::storage::DataDir::open(vkv::Env::posix(), tmp.file("data"));
  REQUIRE(held.is_ok());
  auto locked = vkv::testing::run_program(CH04_PROGRAM, {"--dir", tmp.file("data")}, "GET a\n");
  CHECK(locked.exit_code == 1);
  CHECK(locked.err.find("LOCK") != std::string::npos);
}
