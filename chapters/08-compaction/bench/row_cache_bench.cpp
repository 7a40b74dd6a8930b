// RowCache beside the plain way to cache rows, in one run: 32 shards of
// std::unordered_map<std::string, std::string>, each under a mutex (the baseline, close to
// what RowCache was before its flat tables: a node per entry, the key and the value each on
// the heap). Keys of 16 bytes, values of 100, as in the server comparison's in-tables GET;
// every key cached, in a cache big enough for all (100k keys, the server's load, and 1M, far
// more than the caches of the CPU hold):
//   - hit: lookups of random cached keys, one thread;
//   - miss: lookups of random keys never inserted;
//   - memory: bytes per entry the allocator handed out (mallinfo2), and RowCache's own count.
#include <malloc.h>

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "04-memtable/key_hash.hpp"
#include "08-compaction/row_cache.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

using vkv::storage::hash_key;
using vkv::storage::RowCache;

constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kValueBytes = 100;

// Key i is "row:" and i in 12 decimal digits; a miss asks for "mis:" and i.
std::string key(const char* prefix, std::size_t i) {
  std::string k(kKeyBytes, '0');
  k.replace(0, 4, prefix);
  for (std::size_t digit = kKeyBytes; digit > 4 && i > 0; i /= 10) {
    k[--digit] = static_cast<char>('0' + i % 10);
  }
  return k;
}

// The baseline.
class MapCache {
 public:
  bool lookup(std::string_view k, std::string* value) {
    Shard& s = shard_for(k);
    std::lock_guard lock(s.mu);
    const auto it = s.map.find(k);
    if (it == s.map.end()) return false;
    value->assign(it->second);
    return true;
  }
  void insert(std::string_view k, std::string_view value) {
    Shard& s = shard_for(k);
    std::lock_guard lock(s.mu);
    s.map.insert_or_assign(std::string(k), std::string(value));
  }

 private:
  struct Hash {  // hashes a std::string or a string_view alike, so find() takes a view
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return hash_key(k); }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> map;
  };
  Shard& shard_for(std::string_view k) { return shards_[(hash_key(k) >> 32) % shards_.size()]; }
  std::array<Shard, 32> shards_;
};

// Both caches behind one shape, so that the loops are the same.
struct Baseline {
  std::unique_ptr<MapCache> cache = std::make_unique<MapCache>();
  bool lookup(std::string_view k, std::string* v) { return cache->lookup(k, v); }
  void insert(std::string_view k, std::string_view v) { cache->insert(k, v); }
  [[nodiscard]] std::size_t bytes() const { return 0; }
};
struct Flat {
  std::unique_ptr<RowCache> cache = std::make_unique<RowCache>(std::size_t{1} << 30);
  bool lookup(std::string_view k, std::string* v) { return cache->lookup(k, 1, v); }
  void insert(std::string_view k, std::string_view v) { cache->insert(k, v, 1); }
  [[nodiscard]] std::size_t bytes() const { return cache->bytes(); }
};

template <typename Cache>
Cache filled(std::size_t keys) {
  Cache c;
  const std::string value(kValueBytes, 'v');
  for (std::size_t i = 0; i < keys; ++i) c.insert(key("row:", i), value);
  return c;
}

// The keys a run looks up, made before it, so that making them is not timed: 1M random picks.
std::vector<std::string> picks(const char* prefix, std::size_t keys) {
  std::vector<std::string> out;
  std::uint64_t x = 0x2545f4914f6cdd1dULL;
  for (int i = 0; i < (1 << 20); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(key(prefix, x % keys));
  }
  return out;
}

template <typename Cache>
void run_lookups(benchmark::State& state, const char* prefix, bool hits) {
  const auto keys = static_cast<std::size_t>(state.range(0));
  Cache cache = filled<Cache>(keys);
  const std::vector<std::string> ks = picks(prefix, keys);
  std::string value;
  std::size_t i = 0;
  for (auto _ : state) {
    if (cache.lookup(ks[i++ & (ks.size() - 1)], &value) != hits) state.SkipWithError("wrong");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

template <typename Cache>
void BM_Hit(benchmark::State& state) { run_lookups<Cache>(state, "row:", true); }
template <typename Cache>
void BM_Miss(benchmark::State& state) { run_lookups<Cache>(state, "mis:", false); }

template <typename Cache>
void BM_Memory(benchmark::State& state) {
  const auto keys = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    const struct mallinfo2 before = mallinfo2();
    Cache cache = filled<Cache>(keys);
    const struct mallinfo2 after = mallinfo2();
    const double bytes = static_cast<double>((after.uordblks + after.hblkhd) -
                                             (before.uordblks + before.hblkhd));
    state.counters["bytes_per_entry"] = bytes / static_cast<double>(keys);
    state.counters["charged_per_entry"] =
        static_cast<double>(cache.bytes()) / static_cast<double>(keys);
  }
}

// Each pair runs one right after the other.
BENCHMARK_TEMPLATE(BM_Hit, Baseline)->Arg(100'000)->Arg(1'000'000);
BENCHMARK_TEMPLATE(BM_Hit, Flat)->Arg(100'000)->Arg(1'000'000);
BENCHMARK_TEMPLATE(BM_Miss, Baseline)->Arg(100'000)->Arg(1'000'000);
BENCHMARK_TEMPLATE(BM_Miss, Flat)->Arg(100'000)->Arg(1'000'000);
BENCHMARK_TEMPLATE(BM_Memory, Baseline)->Arg(100'000)->Iterations(1);
BENCHMARK_TEMPLATE(BM_Memory, Flat)->Arg(100'000)->Iterations(1);

std::vector<vkv::bench::Ratio> ratios() {
  std::vector<vkv::bench::Ratio> r;
  for (const char* keys : {"100000", "1000000"}) {
    const std::string n = keys;
    r.push_back({"hits/s, " + n + " keys: RowCache / map", "BM_Hit<Flat>/" + n,
                 "BM_Hit<Baseline>/" + n, "items_per_second", 0.0});
    r.push_back({"misses/s, " + n + " keys: RowCache / map", "BM_Miss<Flat>/" + n,
                 "BM_Miss<Baseline>/" + n, "items_per_second", 0.0});
  }
  r.push_back({"bytes per entry: map / RowCache", "BM_Memory<Flat>/100000/iterations:1",
               "BM_Memory<Baseline>/100000/iterations:1", "bytes_per_entry", 0.0,
               /*lower_is_better=*/true});
  return r;
}

}  // namespace

VKV_BENCHMARK_MAIN(ratios())
