// Chapter 5's LsmStore with chapter 7's memtable shard, plugged in through
// LsmStoreOptions::memtable_shards: the Store contract (with flushes inside it), and a restart.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "02-parsing/tests/store_contract.hpp"
#include "05-sstables/lsm_store.hpp"
#include "07-fast/hash_index_shard.hpp"
#include "common/testing/test_util.hpp"

using vkv::storage::HashIndexShard;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;

namespace {

// The smallest memtable, so that the contract's larger cases flush along the way.
LsmStoreOptions fast_options(const std::string& dir) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = vkv::storage::SyncPolicy::kNever;
  o.memtable_bytes = vkv::storage::kMinMemtableBytes;
  o.memtable_shards = HashIndexShard::factory();
  return o;
}

std::unique_ptr<LsmStore> open_fast(const std::string& dir) {
  auto store = LsmStore::open(vkv::Env::posix(), fast_options(dir));
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

class FastLsmStoreUnderTest : public vkv::testing::StoreUnderTest {
 public:
  FastLsmStoreUnderTest() : store_(open_fast(dir_.file("data"))) {}
  vkv::storage::Store& store() override { return *store_; }

 private:
  vkv::testing::TempDir dir_;
  std::unique_ptr<LsmStore> store_;
};

}  // namespace

VKV_STORE_CONTRACT_TESTS("LsmStore over HashIndexShards", "[ch07]",
                         [] { return std::make_unique<FastLsmStoreUnderTest>(); })

TEST_CASE("LsmStore over HashIndexShards: flushed tables and the log survive a restart",
          "[ch07]") {
  vkv::testing::TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_fast(dir);
    for (int i = 0; i < 20000; ++i) {
      REQUIRE(store->set("key" + std::to_string(i), std::string(40, 'a' + i % 26)).is_ok());
    }
    for (int i = 0; i < 20000; i += 3) REQUIRE(store->del("key" + std::to_string(i)).is_ok());
    CHECK(store->stats().flushes > 0);  // tables written from the fast shards' iterators
  }
  auto store = open_fast(dir);
  std::string value;
  for (int i = 0; i < 20000; ++i) {
    const vkv::Status s = store->get("key" + std::to_string(i), &value);
    CAPTURE(i);
    if (i % 3 == 0) {
      REQUIRE(s.is_not_found());
    } else {
      REQUIRE(s.is_ok());
      REQUIRE(value == std::string(40, 'a' + i % 26));
    }
  }
}
