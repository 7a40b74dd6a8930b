// Chapter 7's HashIndexShard keeps chapter 4's shard contract: the same suite, run again.
#include <catch2/catch.hpp>

#include "04-memtable/tests/memtable_contract.hpp"
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
