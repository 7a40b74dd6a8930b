// BlockCache: LRU eviction by bytes, hit and miss counts, blocks too big to cache, and many
// threads at once (run it under ThreadSanitizer: -DVKV_SANITIZE=thread).
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "05-sstables/block.hpp"
#include "05-sstables/block_builder.hpp"
#include "05-sstables/block_cache.hpp"

using vkv::storage::Block;
using vkv::storage::BlockBuilder;
using vkv::storage::BlockCache;

namespace {

// A real block of about `bytes` bytes whose one entry is ("tag", tag).
std::shared_ptr<const Block> make_block(const std::string& tag, std::size_t bytes = 1000) {
  BlockBuilder builder;
  builder.add("tag", tag);
  if (bytes > 100) builder.add("value", std::string(bytes - 100, 'v'));
  auto block = Block::parse(std::string(builder.finish()));
  REQUIRE(block.is_ok());
  return std::make_shared<const Block>(std::move(block).value());
}

// The tag make_block() gave the block.
std::string tag_of(const Block& block) {
  Block::Iterator it(block);
  it.seek("tag");
  return it.valid() && it.key() == "tag" ? std::string(it.value()) : "<none>";
}

BlockCache::Key key(std::uint64_t table, std::uint64_t offset) { return {table, offset}; }

}  // namespace

TEST_CASE("block cache: evicts the least recently used, by bytes", "[ch05][cache]") {
  const auto a = make_block("a");
  const std::size_t charge = BlockCache::charge(*a);
  BlockCache cache(3 * charge, /*shards=*/1);  // room for three blocks of this size
  cache.insert(key(1, 0), a);
  cache.insert(key(1, 4096), make_block("b"));
  cache.insert(key(2, 0), make_block("c"));
  CHECK(cache.stats().bytes == 3 * charge);
  CHECK(cache.stats().blocks == 3);

  REQUIRE(cache.lookup(key(1, 0)) != nullptr);  // a is now the most recently used
  cache.insert(key(2, 4096), make_block("d"));  // so b, the least, goes
  CHECK(cache.lookup(key(1, 4096)) == nullptr);
  CHECK(tag_of(*cache.lookup(key(1, 0))) == "a");
  CHECK(tag_of(*cache.lookup(key(2, 0))) == "c");
  CHECK(tag_of(*cache.lookup(key(2, 4096))) == "d");
  CHECK(cache.stats().evictions == 1);
  CHECK(cache.stats().bytes == 3 * charge);

  // A bigger block pushes out as many as it takes.
  cache.insert(key(3, 0), make_block("big", 2 * charge));
  CHECK(cache.stats().bytes <= 3 * charge);
  CHECK(cache.stats().blocks == 1);
  CHECK(tag_of(*cache.lookup(key(3, 0))) == "big");
}

TEST_CASE("block cache: counts hits and misses", "[ch05][cache]") {
  BlockCache cache(1 << 20);
  CHECK(cache.lookup(key(7, 0)) == nullptr);
  cache.insert(key(7, 0), make_block("x"));
  for (int i = 0; i < 3; ++i) CHECK(cache.lookup(key(7, 0)) != nullptr);
  CHECK(cache.lookup(key(7, 1)) == nullptr);  // same table, another offset
  CHECK(cache.lookup(key(8, 0)) == nullptr);  // another table, same offset
  const auto s = cache.stats();
  CHECK(s.hits == 3);
  CHECK(s.misses == 3);
  CHECK(s.evictions == 0);
}

TEST_CASE("block cache: replacing a block is charged once, a reader keeps an evicted block",
          "[ch05][cache]") {
  const auto first = make_block("older");
  BlockCache cache(BlockCache::charge(*first), /*shards=*/1);  // room for one
  cache.insert(key(1, 0), first);
  cache.insert(key(1, 0), make_block("newer"));
  CHECK(cache.stats().blocks == 1);
  CHECK(cache.stats().bytes == BlockCache::charge(*first));
  auto held = cache.lookup(key(1, 0));
  cache.insert(key(1, 8192), make_block("third"));  // evicts "newer"
  CHECK(cache.lookup(key(1, 0)) == nullptr);
  CHECK(tag_of(*held) == "newer");  // still whole: shared, immutable
}

TEST_CASE("block cache: a block too big to keep still replaces the one under its key",
          "[ch05][cache]") {
  BlockCache cache(BlockCache::charge(*make_block("small", 500)), /*shards=*/1);
  cache.insert(key(1, 0), make_block("small", 500));
  REQUIRE(cache.lookup(key(1, 0)) != nullptr);
  cache.insert(key(1, 0), make_block("large", 5000));
  CHECK(cache.lookup(key(1, 0)) == nullptr);  // not the stale "small"
  CHECK(cache.stats().bytes == 0);
}

TEST_CASE("block cache: a block bigger than the cache, or a cache of 0, caches nothing",
          "[ch05][cache]") {
  BlockCache small(500, /*shards=*/1);
  small.insert(key(1, 0), make_block("big", 1000));
  CHECK(small.lookup(key(1, 0)) == nullptr);
  CHECK(small.stats().bytes == 0);

  BlockCache off(0);
  off.insert(key(1, 0), make_block("x"));
  CHECK(off.lookup(key(1, 0)) == nullptr);
  CHECK(off.stats().misses == 1);  // still counted: the store's block reads
}

TEST_CASE("block cache: many threads look up and insert at once", "[ch05][cache]") {
  constexpr int kThreads = 8;
  constexpr int kOps = 20'000;
  constexpr int kKeys = 300;
  // Room for about a third of the blocks, so evictions happen all the time.
  BlockCache cache(100 * BlockCache::charge(*make_block("0")));
  std::vector<std::shared_ptr<const Block>> blocks;
  for (int i = 0; i < kKeys; ++i) blocks.push_back(make_block(std::to_string(i)));
  std::atomic<int> wrong{0};
  std::atomic<std::uint64_t> lookups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int op = 0; op < kOps; ++op) {
        const int i = static_cast<int>(rng() % kKeys);
        const auto k = key(static_cast<std::uint64_t>(i % 7), static_cast<std::uint64_t>(i) * 4096);
        ++lookups;
        if (auto hit = cache.lookup(k)) {
          if (tag_of(*hit) != std::to_string(i)) ++wrong;  // a block under someone else's key
        } else {
          cache.insert(k, blocks[static_cast<std::size_t>(i)]);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong.load() == 0);
  const auto s = cache.stats();
  CHECK(s.hits + s.misses == lookups.load());
  CHECK(s.hits > 0);
  CHECK(s.evictions > 0);
  CHECK(s.bytes <= cache.capacity_bytes() + kKeys);  // each shard's share is rounded up
}
