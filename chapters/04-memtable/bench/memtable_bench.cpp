// The memtable against one std::map<std::string, std::string> behind one std::mutex, in the
// same run:
//   - throughput: 50% GET and 50% SET of random keys among 1M keys of 16 bytes with 100-byte
//     values, with 1 to 16 threads (the thread count is the benchmark's argument; filter with
//     e.g. --benchmark_filter='threads:2$'). No target: shown for what sharding and a skiplist
//     give, and cost, against the obvious design.
//   - memory: bytes per entry above the key and value bytes, measured with mallinfo2() while
//     filling each structure with the same 1M entries. Target: at most half the map's.
//   - fill, then scan: 1M new keys set in a shuffled order, then every entry read back in key
//     order once, as a flush does. No target; shown for the whole price of keeping the order.
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/memtable.hpp"
#include "common/benchmarking/ratio_main.hpp"

namespace {

constexpr std::size_t kKeyCount = 1'000'000;
constexpr std::size_t kKeySize = 16;
constexpr std::size_t kValueSize = 100;

// All 1M keys, back to back, so that picking a key costs the same for both structures.
const std::string& all_keys() {
  static const std::string keys = [] {
    std::string k(kKeyCount * kKeySize, '\0');
    char buf[kKeySize + 1];
    for (std::size_t i = 0; i < kKeyCount; ++i) {
      std::snprintf(buf, sizeof buf, "user%012zu", i * 7919 % kKeyCount);
      k.replace(i * kKeySize, kKeySize, buf, kKeySize);
    }
    return k;
  }();
  return keys;
}

std::string_view key_at(std::size_t i) {
  return std::string_view(all_keys()).substr(i * kKeySize, kKeySize);
}

const std::string& value_bytes() {
  static const std::string value(kValueSize, 'v');
  return value;
}

// The baseline: one ordered map under one mutex. std::less<> lets it find by string_view
// without building a std::string, and SET of a present key reuses the value's buffer: the
// strongest fair version of the obvious design.
class LockedMap {
 public:
  void set(std::string_view key, std::string_view value) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second.assign(value);
    } else {
      map_.emplace(key, value);
    }
  }
  bool get(std::string_view key, std::string* value) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    value->assign(it->second);
    return true;
  }
  // Reads every entry in key order; returns their key and value bytes.
  std::size_t scan() {
    std::lock_guard lock(mu_);
    std::size_t bytes = 0;
    for (const auto& [key, value] : map_) bytes += key.size() + value.size();
    return bytes;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> map_;
};

// The memtable, with the same two calls as LockedMap.
class MemtableSubject {
 public:
  void set(std::string_view key, std::string_view value) { table_.set(key, value); }
  bool get(std::string_view key, std::string* value) {
    return table_.lookup(key, value) == vkv::storage::EntryKind::kValue;
  }
  std::size_t scan() {
    std::size_t bytes = 0;
    auto it = table_.new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      bytes += it->key().size() + it->value().size();
    }
    return bytes;
  }

 private:
  vkv::storage::Memtable table_;
};

// Every key once, in a shuffled order (the same for both structures), so that neither gets
// its nodes laid out in key order by accident.
template <typename Subject>
void fill(Subject& subject) {
  std::vector<std::size_t> order(kKeyCount);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  for (std::size_t i : order) subject.set(key_at(i), value_bytes());
}

// One structure shared by the threads of one benchmark run: thread 0 builds it before the
// timed loop and drops it after; the framework holds every thread at the loop's start and end.
template <typename Subject>
std::unique_ptr<Subject> shared_subject;

template <typename Subject>
void BM_MixedGetSet(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared_subject<Subject> = std::make_unique<Subject>();
    fill(*shared_subject<Subject>);
  }
  std::uint64_t rng = 0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(state.thread_index()) + 1);
  std::string value;
  value.reserve(kValueSize);
  for (auto _ : state) {
    rng ^= rng << 13;  // xorshift64
    rng ^= rng >> 7;
    rng ^= rng << 17;
    const std::size_t i = static_cast<std::size_t>(((rng >> 32) * kKeyCount) >> 32);
    if (rng & 1) {
      shared_subject<Subject>->set(key_at(i), value_bytes());
    } else {
      benchmark::DoNotOptimize(shared_subject<Subject>->get(key_at(i), &value));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0) shared_subject<Subject>.reset();
}
BENCHMARK_TEMPLATE(BM_MixedGetSet, LockedMap)->ThreadRange(1, 16)->UseRealTime();
BENCHMARK_TEMPLATE(BM_MixedGetSet, MemtableSubject)->ThreadRange(1, 16)->UseRealTime();

// Bytes the allocator has handed out: from its heaps, and mmapped directly.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Fills a fresh structure with the 1M entries and reports what the allocator gave it, per
// entry and above the entry's own key and value bytes.
template <typename Subject>
void BM_MemoryPerEntry(benchmark::State& state) {
  for (auto _ : state) {
    const std::size_t before = heap_in_use();
    auto subject = std::make_unique<Subject>();
    fill(*subject);
    const double per_entry =
        static_cast<double>(heap_in_use() - before) / static_cast<double>(kKeyCount);
    state.counters["bytes_per_entry"] = per_entry;
    state.counters["overhead_bytes_per_entry"] = per_entry - (kKeySize + kValueSize);
  }
}
BENCHMARK_TEMPLATE(BM_MemoryPerEntry, LockedMap)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_MemoryPerEntry, MemtableSubject)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// A fresh structure filled with the 1M entries, then scanned once in key order, timed
// together: keys per second over both.
template <typename Subject>
void BM_FillThenScan(benchmark::State& state) {
  for (auto _ : state) {
    auto subject = std::make_unique<Subject>();
    fill(*subject);
    benchmark::DoNotOptimize(subject->scan());
    state.PauseTiming();
    subject.reset();  // freeing is not part of it
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kKeyCount));
}
BENCHMARK_TEMPLATE(BM_FillThenScan, LockedMap)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_FillThenScan, MemtableSubject)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

std::vector<vkv::bench::Ratio> ratios() {
  std::vector<vkv::bench::Ratio> r;
  for (int threads : {1, 2, 4, 8, 16}) {
    const std::string suffix = "/real_time/threads:" + std::to_string(threads);
    r.push_back({"GET/SET ops/s vs map+mutex, " + std::to_string(threads) + " thread(s)",
                 "BM_MixedGetSet<MemtableSubject>" + suffix, "BM_MixedGetSet<LockedMap>" + suffix,
                 "items_per_second", 0.0});
  }
  r.push_back({"map overhead / memtable overhead (bytes/entry)",
               "BM_MemoryPerEntry<MemtableSubject>/iterations:1",
               "BM_MemoryPerEntry<LockedMap>/iterations:1", "overhead_bytes_per_entry", 2.0,
               /*lower_is_better=*/true});
  r.push_back({"fill 1M new keys, then scan them in order: keys/s vs map+mutex",
               "BM_FillThenScan<MemtableSubject>/iterations:3",
               "BM_FillThenScan<LockedMap>/iterations:3",
               "items_per_second", 0.0});
  return r;
}

}  // namespace

VKV_BENCHMARK_MAIN(ratios())
