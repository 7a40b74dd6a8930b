/// \file
/// The db_bench workloads as a library: chapter 5's program runs them on its store and
/// LevelDB; chapter 7's runs them on chapter 5's store, its own faster one, and LevelDB, all
/// in one process. See db_bench.cpp for the workloads and the settings.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/benchmarking/bench_dir.hpp"
#include "common/env.hpp"
#include "05-sstables/lsm_store.hpp"
#include "common/benchmarking/ratio_main.hpp"

#ifdef VKV_HAVE_LEVELDB
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>
#endif

namespace vkv::bench::db {

inline constexpr int kEntries = 1'000'000;
inline constexpr int kSyncedEntries = 10'000;
inline constexpr int kReads = 100'000;
inline constexpr std::size_t kKeySize = 16;
inline constexpr std::size_t kValueSize = 100;
inline constexpr std::size_t kWriteBuffer = 4 << 20;
inline constexpr std::size_t kBlockCache = 8 << 20;
inline constexpr int kFilterBitsPerKey = 10;


// The run's scratch directory's name under build/bench-data (set by db_bench_main).
inline std::string& bench_dir_name() {
  static std::string name = "ch05-db";
  return name;
}

inline const vkv::bench::BenchDir& bench_dir() {
  static const vkv::bench::BenchDir dir(bench_dir_name());
  return dir;
}

// The bytes of the files in `dir`. LevelDB compacts in the background, so a file listed may
// be gone a moment later: it counts as nothing.
inline std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::error_code gone;
    const std::uintmax_t size = e.is_regular_file(gone) ? e.file_size(gone) : 0;
    if (!gone) total += size;
  }
  return total;
}

// Key i, as db_bench makes it: 16 decimal digits.
inline void make_key(int i, char* out) { std::snprintf(out, kKeySize + 1, "%016d", i); }

// 100-byte values cut from 1 MiB of random bytes (db_bench's are compressible; with
// compression off that makes no difference).
inline std::string_view value_for(std::uint64_t n) {
  static const std::string pool = [] {
    std::mt19937_64 rng(301);
    std::string s(1 << 20, '\0');
    for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
    return s;
  }();
  return std::string_view(pool).substr((n * 997) % (pool.size() - kValueSize), kValueSize);
}

// The two stores behind one small interface, so every workload runs the same loop on both.
class Db {
 public:
  virtual ~Db() = default;
  virtual void put(std::string_view key, std::string_view value) = 0;
  virtual bool get(std::string_view key, std::string* value) = 0;
};

// What a vkv engine of the run is made of: its name in the rows, the Env its files go
// through (given the options: the fills run `never`, fillsync `always`), and any change to
// the store's options (chapter 7's faster parts).
struct VkvSetup {
  std::string name = "vkv";
  std::function<vkv::Env&(const vkv::storage::LsmStoreOptions&)> env =
      [](const vkv::storage::LsmStoreOptions&) -> vkv::Env& { return vkv::Env::posix(); };
  std::function<void(vkv::storage::LsmStoreOptions&)> tune;
};

class VkvDb final : public Db {
 public:
  // `plain`: no block cache and no filters, as the read path was before chapter 5 added them.
  VkvDb(const std::string& dir, bool sync, const VkvSetup& setup, bool plain = false) {
    vkv::storage::LsmStoreOptions options;
    options.durable.dir = dir;
    options.durable.sync = sync ? vkv::storage::SyncPolicy::kAlways : vkv::storage::SyncPolicy::kNever;
    options.memtable_bytes = kWriteBuffer;
    options.block_cache_bytes = plain ? 0 : kBlockCache;
    options.filter_bits_per_key = plain ? 0 : kFilterBitsPerKey;
    if (setup.tune) setup.tune(options);
    auto store = vkv::storage::LsmStore::open(setup.env(options), options);
    if (!store.is_ok()) fail(store.status());
    store_ = std::move(store).value();
  }
  void put(std::string_view key, std::string_view value) override {
    if (vkv::Status s = store_->set(key, value); !s.is_ok()) fail(s);
  }
  bool get(std::string_view key, std::string* value) override {
    const vkv::Status s = store_->get(key, value);
    if (!s.is_ok() && !s.is_not_found()) fail(s);
    return s.is_ok();
  }
  [[nodiscard]] vkv::storage::LsmStats stats() const { return store_->stats(); }

 private:
  [[noreturn]] static void fail(const vkv::Status& s) {
    std::fprintf(stderr, "vkv: %s\n", s.to_string().c_str());
    std::abort();
  }
  std::unique_ptr<vkv::storage::LsmStore> store_;
};

#ifdef VKV_HAVE_LEVELDB
class LevelDb final : public Db {
 public:
  LevelDb(const std::string& dir, bool sync) {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = kWriteBuffer;
    options.compression = leveldb::kNoCompression;
    options.block_cache = cache_.get();
    options.filter_policy = filter_.get();
    write_options_.sync = sync;
    leveldb::DB* db = nullptr;
    check(leveldb::DB::Open(options, dir, &db));
    db_.reset(db);
  }
  void put(std::string_view key, std::string_view value) override {
    check(db_->Put(write_options_, leveldb::Slice(key.data(), key.size()),
                   leveldb::Slice(value.data(), value.size())));
  }
  bool get(std::string_view key, std::string* value) override {
    const leveldb::Status s = db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), value);
    if (!s.ok() && !s.IsNotFound()) check(s);
    return s.ok();
  }

 private:
  static void check(const leveldb::Status& s) {
    if (s.ok()) return;
    std::fprintf(stderr, "leveldb: %s\n", s.ToString().c_str());
    std::abort();
  }
  // Declared before db_, so that they outlive it.
  std::unique_ptr<leveldb::Cache> cache_{leveldb::NewLRUCache(kBlockCache)};
  std::unique_ptr<const leveldb::FilterPolicy> filter_{
      leveldb::NewBloomFilterPolicy(kFilterBitsPerKey)};
  std::unique_ptr<leveldb::DB> db_;
  leveldb::WriteOptions write_options_;
};
#endif

using Opener = std::function<std::unique_ptr<Db>(const std::string& dir, bool sync)>;

struct Engine {
  std::string name;
  Opener open;
};

// The vkv setups of this run, then LevelDB where it was found at build time.
inline std::vector<VkvSetup>& vkv_setups() {
  static std::vector<VkvSetup> setups;
  return setups;
}

inline std::vector<Engine> engines() {
  std::vector<Engine> e;
  for (const VkvSetup& setup : vkv_setups()) {
    e.push_back({setup.name, [setup](const std::string& d, bool s) -> std::unique_ptr<Db> {
                   return std::make_unique<VkvDb>(d, s, setup);
                 }});
  }
#ifdef VKV_HAVE_LEVELDB
  e.push_back({"leveldb", [](const std::string& d, bool s) -> std::unique_ptr<Db> {
                 return std::make_unique<LevelDb>(d, s);
               }});
#endif
  return e;
}

// Writes `n` entries; key i is `order(i)`.
inline void write_entries(Db& db, int n, const std::function<int(int)>& order) {
  char key[kKeySize + 1];
  for (int i = 0; i < n; ++i) {
    make_key(order(i), key);
    db.put(std::string_view(key, kKeySize), value_for(static_cast<std::uint64_t>(i)));
  }
}

inline std::function<int(int)> random_order(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng](int) { return static_cast<int>((*rng)() % kEntries); };
}

inline void report_fill(benchmark::State& state, const std::string& dir, int n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
  const double raw = static_cast<double>(n) * (kKeySize + kValueSize);
  state.counters["disk_MB"] = static_cast<double>(dir_bytes(dir)) / 1e6;
  state.counters["disk_ratio"] = static_cast<double>(dir_bytes(dir)) / raw;
}

// Writes back whatever earlier runs left dirty in the page cache, so that it is not flushed
// on the next run's time (a journal commit waits for it).
inline void settle_disk() { ::sync(); }

inline void fill(benchmark::State& state, const Engine& engine, const char* workload, bool sync, int n,
          const std::function<int(int)>& order) {
  const std::string dir = bench_dir().fresh(std::string(workload) + "-" + engine.name);
  settle_disk();
  auto db = engine.open(dir, sync);
  for (auto _ : state) write_entries(*db, n, order);
  report_fill(state, dir, n);
}

// The overwritten stores, kept open for readrandom.
inline std::map<std::string, std::unique_ptr<Db>>& overwritten() {
  static std::map<std::string, std::unique_ptr<Db>> dbs;
  return dbs;
}

inline void overwrite(benchmark::State& state, const Engine& engine) {
  overwritten()[engine.name].reset();  // the last repetition's store, closed before the next
  const std::string dir = bench_dir().fresh(std::string("overwrite-") + engine.name);
  auto db = engine.open(dir, false);
  write_entries(*db, kEntries, random_order(1));  // fillrandom first, not timed
  settle_disk();
  for (auto _ : state) write_entries(*db, kEntries, random_order(2));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kEntries);
  overwritten()[engine.name] = std::move(db);
}

// What the reads cost vkv's tables, per read: blocks from disk, blocks from the cache,
// tables skipped by their filter; and the filters' memory per entry.
inline void report_read_path(benchmark::State& state, const VkvDb& db) {
  const vkv::storage::LsmStats s = db.stats();
  const double reads = static_cast<double>(state.iterations()) * kReads;
  state.counters["tables"] = static_cast<double>(s.tables);
  state.counters["disk_blocks/get"] = static_cast<double>(s.block_reads) / reads;
  state.counters["cached_blocks/get"] = static_cast<double>(s.cache_hits) / reads;
  state.counters["filter_skips/get"] = static_cast<double>(s.filter_skips) / reads;
  state.counters["filter_bytes/entry"] =
      static_cast<double>(s.filter_bytes) / static_cast<double>(s.table_entries);
}

inline void readrandom(benchmark::State& state, const Engine& engine) {
  auto& db = overwritten()[engine.name];
  if (!db) {  // run alone (--benchmark_filter): build the store first
    db = engine.open(bench_dir().fresh(std::string("overwrite-") + engine.name), false);
    write_entries(*db, kEntries, random_order(1));
    write_entries(*db, kEntries, random_order(2));
  }
  std::mt19937_64 rng(3);
  std::string value;
  char key[kKeySize + 1];
  std::int64_t found = 0;
  for (auto _ : state) {
    for (int i = 0; i < kReads; ++i) {
      make_key(static_cast<int>(rng() % kEntries), key);
      found += db->get(std::string_view(key, kKeySize), &value);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kReads);
  state.counters["found"] = static_cast<double>(found) / (state.iterations() * kReads);
  if (auto* vkv_db = dynamic_cast<VkvDb*>(db.get())) report_read_path(state, *vkv_db);
  db.reset();
}

// Reads the overwritten vkv store again, reopened with no filters and no cache: the read
// path as it was before this chapter. REQUIRES: readrandom/vkv ran first (it closes the
// store), or nothing did (then the store is built here).
inline void readrandom_plain(benchmark::State& state) {
  const VkvSetup& setup = vkv_setups().front();
  auto& db = overwritten()[setup.name];
  const std::string dir = bench_dir().file("overwrite-" + setup.name);
  db.reset();  // closed, if open, to be reopened below without filters or cache
  if (!std::filesystem::exists(dir)) {  // run alone (--benchmark_filter): build it first
    VkvDb built(bench_dir().fresh("overwrite-" + setup.name), false, setup);
    write_entries(built, kEntries, random_order(1));
    write_entries(built, kEntries, random_order(2));
  }
  db = std::make_unique<VkvDb>(dir, false, setup, /*plain=*/true);
  readrandom(state, Engine{setup.name, nullptr});
}

// Each workload runs one pass (a million entries is long enough to time), by the wall clock
// (LevelDB's compaction thread works for it in the background). The writes are repeated
// and their means compared: these machines are noisy, and fillsync measures little but the
// disk's flush latency, the same for both stores.
inline constexpr int kRepetitions = 3;

// How Google Benchmark names the figures of add()'s benchmarks, after the name given.
inline std::string run_name(const std::string& name, int repetitions) {
  return repetitions == 1 ? name + "/iterations:1/real_time"
                          : name + "/iterations:1/repeats:" + std::to_string(repetitions) +
                                "/real_time_mean";
}

inline void add(const std::string& name, std::function<void(benchmark::State&)> fn,
         int repetitions) {
  auto* b = benchmark::RegisterBenchmark(name.c_str(), std::move(fn))
                ->Iterations(1)
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
  if (repetitions > 1) b->Repetitions(repetitions)->ReportAggregatesOnly(true);
}

inline void register_all() {
  const auto in_order = [](int i) { return i; };
  for (const Engine& e : engines()) {
    add("fillseq/" + e.name,
        [e, in_order](benchmark::State& s) { fill(s, e, "fillseq", false, kEntries, in_order); },
        kRepetitions);
  }
  for (const Engine& e : engines()) {
    add("fillrandom/" + e.name, [e](benchmark::State& s) {
      fill(s, e, "fillrandom", false, kEntries, random_order(1));
    }, kRepetitions);
  }
  for (const Engine& e : engines()) {
    add("overwrite/" + e.name, [e](benchmark::State& s) { overwrite(s, e); },
        kRepetitions);
  }
  for (const Engine& e : engines()) {
    add("readrandom/" + e.name, [e](benchmark::State& s) { readrandom(s, e); }, 1);
  }
  add("readrandom/" + vkv_setups().front().name + "-plain", readrandom_plain, 1);
  for (const Engine& e : engines()) {
    add("fillsync/" + e.name, [e](benchmark::State& s) {
      fill(s, e, "fillsync", true, kSyncedEntries, random_order(4));
    }, kRepetitions);
  }
}

// The size of vkv's files over the raw bytes written, after each fill.
inline void print_sizes(const vkv::bench::RecordingReporter& reporter) {
  constexpr double kTarget = 1.15;
  std::printf("\n%-44s %12s %8s  %s\n", "files on disk / raw key+value bytes", "value", "target",
              "verdict");
  std::vector<std::pair<std::string, bool>> rows;  // name, and whether it is vkv's
  for (const char* fill : {"fillseq/", "fillrandom/"}) {
    for (const VkvSetup& setup : vkv_setups()) rows.emplace_back(fill + setup.name, true);
    rows.emplace_back(std::string(fill) + "leveldb", false);
  }
  for (const auto& [name, ours] : rows) {
    const double r = reporter.value(run_name(name, kRepetitions), "disk_ratio");
    if (r <= 0) continue;
    std::printf("%-44s %12.3f %8s  %s\n", name.c_str(), r, ours ? "<= 1.15" : "-",
                !ours ? "(shown)" : r <= kTarget ? "meets target" : "MISSES target");
  }
}

// Runs the workloads on every vkv setup of `setups` and on LevelDB, then prints each setup's
// ratios against LevelDB and, with several setups, each later setup's against the first (the
// before and after of chapter 7). Its scratch directory is build/bench-data/`dir_name`.
inline int db_bench_main(int argc, char** argv, const std::string& dir_name,
                         std::vector<VkvSetup> setups) {
  bench_dir_name() = dir_name;
  vkv_setups() = std::move(setups);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
#ifndef VKV_HAVE_LEVELDB
  std::printf("LevelDB not found at build time (apt-get install libleveldb-dev, then rebuild): "
              "its rows are skipped, and so are the ratios.\n");
#endif
  register_all();
  vkv::bench::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::vector<vkv::bench::Ratio> ratios;
  const auto ratio = [&](const std::string& workload, const std::string& a, const std::string& b,
                         const char* what, double target) {
    const int reps = workload == "readrandom" ? 1 : kRepetitions;
    ratios.push_back({workload + ": " + a + " vs " + b + " (" + what + ")",
                      run_name(workload + "/" + a, reps), run_name(workload + "/" + b, reps),
                      "items_per_second", target});
  };
  for (const VkvSetup& setup : vkv_setups()) {
    const std::string& v = setup.name;
    ratio("fillseq", v, "leveldb", "entries/s", 1.0);
    ratio("fillrandom", v, "leveldb", "entries/s", 1.0);
    ratio("overwrite", v, "leveldb", "entries/s", 1.0);
    ratio("readrandom", v, "leveldb", "reads/s", 0);
    if (&setup == &vkv_setups().front()) ratio("readrandom", v + "-plain", "leveldb", "reads/s", 0);
    ratio("fillsync", v, "leveldb", "entries/s", 1.0);
  }
  const std::string& first = vkv_setups().front().name;
  for (std::size_t i = 1; i < vkv_setups().size(); ++i) {
    const std::string& v = vkv_setups()[i].name;
    for (const char* w : {"fillseq", "fillrandom", "overwrite", "readrandom", "fillsync"}) {
      ratio(w, v, first, w == std::string("readrandom") ? "reads/s" : "entries/s", 0);
    }
  }
  vkv::bench::print_ratios(reporter, ratios);
  print_sizes(reporter);
  return 0;
}

}  // namespace vkv::bench::db
