// Chapter 7's HashIndexShard keeps chapter 4's shard contract: the same suite, run again.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>

#include "04-memtable/tests/memtable_contract.hpp"
#include "04-memtable/key_hash.hpp"
#include "07-fast/hash_index_shard.hpp"

VKV_MEMTABLE_CONTRACT_TESTS("HashIndexShard", "[ch07]", vkv::storage::HashIndexShard::factory())

TEST_CASE("HashIndexShard: a DEL of a deleted key adds nothing", "[ch07]") {
  // The index finds the key's tombstone at once, so a second DEL is free: no new record.
  vkv::storage::HashIndexShard shard(1);
  shard.write("k", vkv::storage::EntryKind::kTombstone, {});
  const std::size_t before = shard.memory_bytes();
  for (int i = 0; i < 100000; ++i) shard.write("k", vkv::storage::EntryKind::kTombstone, {});
  CHECK(shard.memory_bytes() == before);
  CHECK(shard.entry_count() == 1);
}

TEST_CASE("HashIndexShard: prefetch is only a hint, safe beside writers that grow the index",
          "[ch07]") {
  using vkv::storage::EntryKind;
  using vkv::storage::hash_key;
  vkv::storage::HashIndexShard shard(1);
  // Every pass of a batch, as Memtable::prefetch gives them.
  const auto prefetch = [&shard](const std::string& key) {
    for (int pass = 0; pass < vkv::storage::MemtableShard::kPrefetchPasses; ++pass) {
      shard.prefetch(key, hash_key(key), pass);
    }
  };
  prefetch("k");  // nothing indexed yet
  std::atomic<bool> stop{false};
  std::thread prefetcher([&] {
    for (int i = 0; !stop.load(); i = (i + 1) % 50000) prefetch("key" + std::to_string(i));
  });
  for (int i = 0; i < 50000; ++i) {  // the index doubles a dozen times meanwhile
    shard.write("key" + std::to_string(i), EntryKind::kValue, std::to_string(i));
  }
  stop = true;
  prefetcher.join();
  const std::size_t bytes = shard.memory_bytes();
  prefetch("key7");
  prefetch("absent");
  CHECK(shard.memory_bytes() == bytes);
  CHECK(shard.entry_count() == 50000);
  std::string value;
  CHECK(shard.lookup("key49999", &value) == EntryKind::kValue);
  CHECK(value == "49999");
}
