// Chapter 7's memtable step, as before/after pairs in one run: the same Memtable made of
// chapter 4's SkiplistShards ("before") and of chapter 7's HashIndexShards ("after"), with
// the LsmStore's shard count. Keys of 16 bytes, values of 100, 1M keys:
//   - SET of new keys: a fresh table filled with every key once, in a shuffled order;
//   - GET: random keys of a full table, one thread;
//   - a 2-thread mix: 50% GET, 50% SET of random keys of a full table;
//   - fill, then scan: a fresh table filled, then read once in key order, as a flush does;
//   - memory: bytes per entry the allocator handed out (mallinfo2) while filling.
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/memtable.hpp"
#include "05-sstables/lsm_store.hpp"
#include "07-fast/hash_index_shard.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

using vkv::storage::Memtable;
using vkv::storage::MemtableShardFactory;

constexpr std::size_t kKeys = 1'000'000;
constexpr std::size_t kKeyBytes = 16;
constexpr std::size_t kValueBytes = 100;

// Chapter 4's shard, the before.
struct Before {
  static MemtableShardFactory factory() { return {}; }
};
// Chapter 7's shard, the after.
struct After {
  static MemtableShardFactory factory() { return vkv::storage::HashIndexShard::factory(); }
};

// Key i is "key:" and i in 12 decimal digits; the keys are stored in a shuffled order, so
// that key(0), key(1), ... is the fill order and neither table gets its keys pre-sorted.
class Keys {
 public:
  Keys() : bytes_(kKeys * kKeyBytes, '0') {
    std::vector<std::size_t> numbers(kKeys);
    std::iota(numbers.begin(), numbers.end(), 0);
    std::shuffle(numbers.begin(), numbers.end(), std::mt19937_64(7));
    for (std::size_t slot = 0; slot < kKeys; ++slot) {
      char* key = bytes_.data() + slot * kKeyBytes;
      std::copy_n("key:", 4, key);
      for (std::size_t n = numbers[slot], digit = kKeyBytes; digit > 4; n /= 10) {
        key[--digit] = static_cast<char>('0' + n % 10);
      }
    }
  }
  [[nodiscard]] std::string_view operator[](std::size_t i) const {
    return std::string_view(bytes_).substr(i * kKeyBytes, kKeyBytes);
  }

 private:
  std::string bytes_;
};

const Keys& keys() {
  static const Keys k;
  return k;
}

const std::string& value() {
  static const std::string v(kValueBytes, 'v');
  return v;
}

template <typename Shards>
std::unique_ptr<Memtable> filled_table() {
  auto table = std::make_unique<Memtable>(vkv::storage::kMemtableShards, Shards::factory());
  for (std::size_t i = 0; i < kKeys; ++i) table->set(keys()[i], value());
  return table;
}

// A key index from a per-thread xorshift, so that picking costs the same for both.
std::size_t next_index(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<std::size_t>(state % kKeys);
}

template <typename Shards>
void BM_SetNewKeys(benchmark::State& state) {
  for (auto _ : state) {
    auto table = filled_table<Shards>();
    state.PauseTiming();
    table.reset();  // freeing is not part of it
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kKeys));
}

template <typename Shards>
void BM_FillThenScan(benchmark::State& state) {
  for (auto _ : state) {
    auto table = filled_table<Shards>();
    std::size_t bytes = 0;
    auto it = table->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      bytes += it->key().size() + it->value().size();
    }
    benchmark::DoNotOptimize(bytes);
    state.PauseTiming();
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kKeys));
}

// One full table shared by the threads of a run: thread 0 fills it before the timed loop
// (the framework holds every thread at the loop's start and end) and drops it after.
template <typename Shards>
std::unique_ptr<Memtable> shared_table;

template <typename Shards>
void BM_Get(benchmark::State& state) {
  if (state.thread_index() == 0) shared_table<Shards> = filled_table<Shards>();
  std::uint64_t rng = 0x2545f4914f6cdd1dULL + static_cast<std::uint64_t>(state.thread_index());
  std::string out;
  for (auto _ : state) {
    benchmark::DoNotOptimize(shared_table<Shards>->lookup(keys()[next_index(rng)], &out));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  if (state.thread_index() == 0) shared_table<Shards>.reset();
}

template <typename Shards>
void BM_Mix(benchmark::State& state) {
  if (state.thread_index() == 0) shared_table<Shards> = filled_table<Shards>();
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(state.thread_index() + 1);
  std::string out;
  for (auto _ : state) {
    const std::size_t i = next_index(rng);
    if (i & 1) {
      shared_table<Shards>->set(keys()[i], value());
    } else {
      benchmark::DoNotOptimize(shared_table<Shards>->lookup(keys()[i], &out));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  if (state.thread_index() == 0) shared_table<Shards>.reset();
}

template <typename Shards>
void BM_Memory(benchmark::State& state) {
  for (auto _ : state) {
    const struct mallinfo2 before = mallinfo2();
    auto table = filled_table<Shards>();
    const struct mallinfo2 after = mallinfo2();
    const double bytes = static_cast<double>((after.uordblks + after.hblkhd) -
                                             (before.uordblks + before.hblkhd));
    state.counters["bytes_per_entry"] = bytes / kKeys;
    state.counters["reported_per_entry"] = static_cast<double>(table->memory_bytes()) / kKeys;
  }
}

// Before and after, side by side: each pair runs one right after the other.
BENCHMARK_TEMPLATE(BM_SetNewKeys, Before)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_SetNewKeys, After)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Get, Before)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Get, After)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Mix, Before)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Mix, After)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_FillThenScan, Before)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_FillThenScan, After)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Memory, Before)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Memory, After)->Iterations(1)->Unit(benchmark::kMillisecond);

std::vector<vkv::bench::Ratio> ratios() {
  return {
      {"SET new keys/s: chapter 7 / chapter 4", "BM_SetNewKeys<After>/iterations:3",
       "BM_SetNewKeys<Before>/iterations:3", "items_per_second", 0.0},
      {"GET/s, 1 thread: chapter 7 / chapter 4", "BM_Get<After>/real_time",
       "BM_Get<Before>/real_time", "items_per_second", 0.0},
      {"GET+SET/s, 2 threads: chapter 7 / chapter 4", "BM_Mix<After>/real_time/threads:2",
       "BM_Mix<Before>/real_time/threads:2", "items_per_second", 0.0},
      {"fill, then scan, keys/s: ch7 / ch4", "BM_FillThenScan<After>/iterations:3",
       "BM_FillThenScan<Before>/iterations:3", "items_per_second", 0.0},
      {"bytes per entry: ch4 / ch7 (>1: ch7 smaller)", "BM_Memory<After>/iterations:1",
       "BM_Memory<Before>/iterations:1", "bytes_per_entry", 0.0, /*lower_is_better=*/true},
  };
}

}  // namespace

VKV_BENCHMARK_MAIN(ratios())
