// Chapter 4's memtable: the shard contract run against SkiplistShard (lookups, tombstones,
// order and seek against a std::map model, the memory figure against the allocator, many
// threads at once), and what is the Memtable's own.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>

#include "04-memtable/memtable.hpp"
#include "04-memtable/skiplist_shard.hpp"
#include "04-memtable/tests/memtable_contract.hpp"

namespace {

std::unique_ptr<vkv::storage::MemtableShard> make_skiplist_shard(std::size_t index) {
  return std::make_unique<vkv::storage::SkiplistShard>(static_cast<std::uint32_t>(index + 1));
}

}  // namespace

VKV_MEMTABLE_CONTRACT_TESTS("SkiplistShard", "[ch04]", make_skiplist_shard)

TEST_CASE("a memtable with no shards is refused", "[ch04]") {
  CHECK_THROWS_AS(vkv::storage::Memtable(0), std::invalid_argument);
}

TEST_CASE("a memtable made with no factory is made of SkiplistShards", "[ch04]") {
  // The default the LsmStore uses: the same entries and the same memory figure as a table
  // made of SkiplistShards explicitly, since the two are built alike.
  vkv::storage::Memtable by_default(4);
  vkv::storage::Memtable explicit_shards(4, make_skiplist_shard);
  for (int i = 0; i < 1000; ++i) {
    by_default.set("k" + std::to_string(i), "v");
    explicit_shards.set("k" + std::to_string(i), "v");
  }
  CHECK(by_default.memory_bytes() == explicit_shards.memory_bytes());
  CHECK(by_default.entry_count() == explicit_shards.entry_count());
}
