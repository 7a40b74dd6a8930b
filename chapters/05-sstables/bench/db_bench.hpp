/// \file
/// The db_bench workloads as a library: chapter 5's program runs them on its store, LevelDB
/// and RocksDB; chapter 7's runs them on chapter 5's store, its own faster one and the same
/// two, all in one process; the long overwrite run (long_overwrite.hpp) opens its stores here
/// too. See db_bench.cpp for the workloads. A later chapter plugs its store in with one
/// VkvSetup.
///
/// **The engines and their matched settings.** Every engine gets the same keys (16 bytes),
/// values (100 bytes), order of writes, and these settings:
/// - *No compression*: vkv has none; LevelDB `compression = kNoCompression`; RocksDB
///   `compression = kNoCompression` (Debian's RocksDB is built with Snappy, LZ4 and Zstd and
///   would compress by default; `bottommost_compression` stays at its default, "as the rest").
/// - *Bloom filters of kFilterBitsPerKey (10) bits per key*: vkv `filter_bits_per_key`, one
///   filter per table; LevelDB `NewBloomFilterPolicy(10)`, one filter per 2 KiB of table;
///   RocksDB `NewBloomFilterPolicy(10)` in its block-based table, one "full" filter per table,
///   the shape of vkv's.
/// - *A block cache of kBlockCache (8 MiB) over 4 KiB blocks*: vkv `block_cache_bytes`;
///   LevelDB `NewLRUCache`; RocksDB `BlockBasedTableOptions::block_cache = NewLRUCache`. 4 KiB
///   is every engine's default block size. All three keep each open table's index and filter
///   in memory, outside the cache (RocksDB: `cache_index_and_filter_blocks = false`, its
///   default), and keep every table open (RocksDB `max_open_files = -1`, its default; LevelDB
///   keeps up to 1000, more than these runs make). Chapter 8's setup reads its tables through
///   memory maps and sets no block cache, as its server does; LevelDB, which maps its tables
///   too, does not put their blocks in its cache either.
/// - *The same write buffer* (DbSettings::write_buffer: 4 MiB in db_bench, 16 MiB in the long
///   run): vkv `memtable_bytes`; LevelDB and RocksDB `write_buffer_size`. Each engine fills one
///   memtable while it writes out the one before (RocksDB `max_write_buffer_number = 2`, its
///   default).
/// - *The same sync*: vkv `--sync never`, or `always` for fillsync; LevelDB and RocksDB
///   `WriteOptions::sync` false, or true. All three write their log on every write (RocksDB's
///   WAL stays on).
/// - *RocksDB's level sizes follow the write buffer.* Its defaults (level 1 of 256 MiB,
///   tables of 64 MiB) are made for its 64 MiB default buffer: four buffers fill level 0 to its
///   compaction trigger, and level 1 holds as much. Kept with a 4 MiB buffer they would make
///   every level-0 compaction rewrite a level 1 sixteen times too big. So
///   `max_bytes_for_level_base` is 4 write buffers and `target_file_size_base` one, the
///   defaults' proportions (RocksDB's tuning guide advises the same sizing of level 1).
///   Otherwise each engine compacts its own way, with its defaults: LevelDB's level 1 of 10 MiB,
///   2 MiB tables and one background thread; RocksDB's leveled compaction, two background jobs.
///
/// **Write amplification** is the bytes an engine wrote to storage over the bytes of keys and
/// values its user wrote. It is measured by the kernel's count of this process's writes
/// (`write_bytes` in /proc/self/io, common/benchmarking/write_meter.hpp), taken before the
/// store is opened and again once the process has stopped writing (its background flushes and
/// compactions are done, so each engine's compaction debt is counted). That one meter is
/// honest for all three: it sees write(2), pwrite(2) and stores into a shared map (chapter 7's
/// log under `--sync never`) alike, from every thread, and it needs nothing from the engines'
/// own statistics, which count different things. It counts in pages, and counts a log deleted
/// before the kernel wrote it back (see write_meter.hpp). It also counts what an engine makes
/// dirty ahead of its data: chapter 7's mapped log faults each 1 MiB window in writable
/// (MADV_POPULATE_WRITE) before it copies records into it, so the unused end of a log's last
/// window, and the next window made ahead, count though close() cuts them off (about 1.5 MiB
/// per log file: some 0.4 of write-amp with a 4 MiB write buffer, 0.1 with 16 MiB). Under
/// `--sync everysec` a sync writes those zeros to the disk; under `never` most are cut off
/// first. The figure is not corrected for it: it errs against vkv, not for it. Each program
/// checks the meter first on two known cases, 4 MiB by write(2) and fdatasync and 4 MiB
/// through a shared map, and prints what it counted. The stores live on a real disk
/// (BenchDir), never a tmpfs.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/benchmarking/bench_dir.hpp"
#include "common/benchmarking/ratio_main.hpp"
#include "common/benchmarking/write_meter.hpp"
#include "common/env.hpp"
#include "05-sstables/lsm_store.hpp"

#ifdef VKV_HAVE_LEVELDB
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#endif

#ifdef VKV_HAVE_ROCKSDB
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
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
// RocksDB's level 1 holds this many write buffers, and a table one (see the file comment).
inline constexpr std::size_t kRocksLevel1Buffers = 4;

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

// What a run sets the same for every engine (the rest is in the file comment).
struct DbSettings {
  bool sync = false;                       // sync every write (fillsync) or none
  std::size_t write_buffer = kWriteBuffer;  // vkv's memtable_bytes, the others' write buffer
};

// The stores behind one small interface, so every workload runs the same loop on each.
class Db {
 public:
  virtual ~Db() = default;
  virtual void put(std::string_view key, std::string_view value) = 0;
  virtual bool get(std::string_view key, std::string* value) = 0;
  // What the store says it holds, in one line: its files per level, the entries it recovered.
  virtual std::string describe() = 0;
};

// "L0 3, L1 5, L2 12": the files per level, from an engine's per-level file-count property.
inline std::string files_per_level(const std::function<std::string(int level)>& files) {
  constexpr int kLevels = 7;  // LevelDB's and RocksDB's default
  std::string out;
  for (int level = 0; level < kLevels; ++level) {
    const std::string n = files(level);
    if (n.empty() || n == "0") continue;
    out += (out.empty() ? "files L" : ", L") + std::to_string(level) + " " + n;
  }
  return out.empty() ? "no files" : out;
}

// What a vkv engine of the run is made of: its name in the rows, the Env its files go
// through (given the options: the fills run `never`, fillsync `always`), and any change to
// the store's options (chapter 7's faster parts).
struct VkvSetup {
  std::string name = "vkv";
  std::function<vkv::Env&(const vkv::storage::LsmStoreOptions&)> env =
      [](const vkv::storage::LsmStoreOptions&) -> vkv::Env& { return vkv::Env::posix(); };
  std::function<void(vkv::storage::LsmStoreOptions&)> tune;
  /// The ratios this setup is judged by, named "workload/baseline" ("readrandom/leveldb":
  /// 1.5 means at least 1.5 times LevelDB's reads per second); a pair not named is shown.
  /// Empty: the writes at least LevelDB's, the rest shown (chapter 5's targets).
  std::map<std::string, double> targets;
};

class VkvDb final : public Db {
 public:
  // `plain`: no block cache and no filters, as the read path was before chapter 5 added them.
  VkvDb(const std::string& dir, const DbSettings& settings, const VkvSetup& setup,
        bool plain = false) {
    vkv::storage::LsmStoreOptions options;
    options.durable.dir = dir;
    options.durable.sync =
        settings.sync ? vkv::storage::SyncPolicy::kAlways : vkv::storage::SyncPolicy::kNever;
    options.memtable_bytes = settings.write_buffer;
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
  std::string describe() override {
    const vkv::storage::LsmStats s = stats();
    return std::to_string(s.tables) + " tables; " + std::to_string(s.entries()) +
           " entries recovered (LsmStats::entries: " + std::to_string(s.table_entries) +
           " in tables, " + std::to_string(s.memtable_entries) + " in the memtable, from " +
           std::to_string(s.records_replayed) + " log records replayed)";
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
  LevelDb(const std::string& dir, const DbSettings& settings) {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = settings.write_buffer;
    options.compression = leveldb::kNoCompression;
    options.block_cache = cache_.get();
    options.filter_policy = filter_.get();
    write_options_.sync = settings.sync;
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
  std::string describe() override {
    return files_per_level([this](int level) {
      std::string n;
      db_->GetProperty("leveldb.num-files-at-level" + std::to_string(level), &n);
      return n;
    });
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

#ifdef VKV_HAVE_ROCKSDB
class RocksDb final : public Db {
 public:
  RocksDb(const std::string& dir, const DbSettings& settings) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(kBlockCache);
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kFilterBitsPerKey));
    rocksdb::Options options;
    options.create_if_missing = true;
    options.compression = rocksdb::kNoCompression;
    options.write_buffer_size = settings.write_buffer;
    options.max_bytes_for_level_base = kRocksLevel1Buffers * settings.write_buffer;
    options.target_file_size_base = settings.write_buffer;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    write_options_.sync = settings.sync;
    rocksdb::DB* db = nullptr;
    check(rocksdb::DB::Open(options, dir, &db));
    db_.reset(db);
  }
  ~RocksDb() override {
    if (db_) check(db_->Close());
  }
  RocksDb(const RocksDb&) = delete;
  RocksDb& operator=(const RocksDb&) = delete;
  void put(std::string_view key, std::string_view value) override {
    check(db_->Put(write_options_, rocksdb::Slice(key.data(), key.size()),
                   rocksdb::Slice(value.data(), value.size())));
  }
  bool get(std::string_view key, std::string* value) override {
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), value);
    if (!s.ok() && !s.IsNotFound()) check(s);
    return s.ok();
  }
  std::string describe() override {
    std::string keys;
    db_->GetProperty("rocksdb.estimate-num-keys", &keys);
    return files_per_level([this](int level) {
             std::string n;
             db_->GetProperty("rocksdb.num-files-at-level" + std::to_string(level), &n);
             return n;
           }) +
           "; about " + keys + " keys (rocksdb.estimate-num-keys)";
  }

 private:
  static void check(const rocksdb::Status& s) {
    if (s.ok()) return;
    std::fprintf(stderr, "rocksdb: %s\n", s.ToString().c_str());
    std::abort();
  }
  std::unique_ptr<rocksdb::DB> db_;  // the cache and the filter are shared_ptrs in its options
  rocksdb::WriteOptions write_options_;
};
#endif

using Opener = std::function<std::unique_ptr<Db>(const std::string& dir, const DbSettings&)>;

struct Engine {
  std::string name;
  Opener open;
};

// The vkv setups of this run, then LevelDB and RocksDB where they were found at build time.
inline std::vector<VkvSetup>& vkv_setups() {
  static std::vector<VkvSetup> setups;
  return setups;
}

// The engines vkv is compared with in this build: "leveldb", "rocksdb", or fewer.
inline std::vector<Engine> baselines() {
  std::vector<Engine> e;
#ifdef VKV_HAVE_LEVELDB
  e.push_back({"leveldb", [](const std::string& d, const DbSettings& s) -> std::unique_ptr<Db> {
                 return std::make_unique<LevelDb>(d, s);
               }});
#endif
#ifdef VKV_HAVE_ROCKSDB
  e.push_back({"rocksdb", [](const std::string& d, const DbSettings& s) -> std::unique_ptr<Db> {
                 return std::make_unique<RocksDb>(d, s);
               }});
#endif
  return e;
}

inline std::vector<Engine> engines() {
  std::vector<Engine> e;
  for (const VkvSetup& setup : vkv_setups()) {
    e.push_back({setup.name, [setup](const std::string& d, const DbSettings& s) -> std::unique_ptr<Db> {
                   return std::make_unique<VkvDb>(d, s, setup);
                 }});
  }
  for (Engine& b : baselines()) e.push_back(std::move(b));
  return e;
}

// Says which baselines this build lacks, and how to get them.
inline void print_missing_baselines() {
#ifndef VKV_HAVE_LEVELDB
  std::printf("LevelDB not found at build time (apt-get install libleveldb-dev, then rebuild): "
              "its rows are skipped, and so are the ratios against it.\n");
#endif
#ifndef VKV_HAVE_ROCKSDB
  std::printf("RocksDB not found at build time (apt-get install librocksdb-dev, then rebuild): "
              "its rows are skipped, and so are the ratios against it.\n");
#endif
}

// Tries the write meter on its known cases in a directory of `scratch` and says what it
// counted; returns whether the write-amplification figures can be trusted.
inline bool print_write_meter_check(const vkv::bench::BenchDir& scratch) {
  const std::string dir = scratch.fresh("write-meter");
  std::filesystem::create_directories(dir);
  const vkv::bench::WriteMeterCheck c = vkv::bench::check_write_meter(dir);
  std::filesystem::remove_all(dir);
  if (!c.available) {
    std::printf("write meter: /proc/self/io has no write_bytes here; write-amp is not shown\n");
    return false;
  }
  std::printf("write meter (/proc/self/io write_bytes): %.2f MiB by write+fdatasync counted %.2f "
              "MiB, %.2f MiB through a shared map counted %.2f MiB: %s\n",
              c.expected / 1048576.0, c.written / 1048576.0, c.expected / 1048576.0,
              c.mapped / 1048576.0,
              c.ok() ? "as expected" : "NOT as expected, write-amp figures are suspect");
  return c.ok();
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

// The bytes this process has written so far (write_meter.hpp), 0 where it cannot be known.
inline std::uint64_t bytes_written_so_far() { return vkv::bench::bytes_written().value_or(0); }

// Waits for engine `name`'s background writing to end, then sets the counters write_MB and
// write_amp: what the process wrote since `before` (bytes_written_so_far()) over the
// `entries` keys and values written by the workload.
inline void report_write_amp(benchmark::State& state, const std::string& name,
                             std::uint64_t before, std::uint64_t entries) {
  if (!vkv::bench::wait_until_writes_stop()) {
    std::fprintf(stderr, "%s: still writing after 5 minutes; write-amp counts what is done\n",
                 name.c_str());
  }
  const std::uint64_t after = bytes_written_so_far();
  if (after == 0) return;  // no meter here
  const double user = static_cast<double>(entries) * (kKeySize + kValueSize);
  state.counters["write_MB"] = static_cast<double>(after - before) / 1e6;
  state.counters["write_amp"] = static_cast<double>(after - before) / user;
}

inline void fill(benchmark::State& state, const Engine& engine, const char* workload, bool sync, int n,
          const std::function<int(int)>& order) {
  const std::string dir = bench_dir().fresh(std::string(workload) + "-" + engine.name);
  settle_disk();
  auto db = engine.open(dir, DbSettings{.sync = sync});
  for (auto _ : state) write_entries(*db, n, order);
  report_fill(state, dir, n);
}

// The overwritten stores, kept open for readrandom.
inline std::map<std::string, std::unique_ptr<Db>>& overwritten() {
  static std::map<std::string, std::unique_ptr<Db>> dbs;
  return dbs;
}

// fillrandom, untimed, then overwrite, timed, on a new store; the write amplification of
// both together is measured from before the store is opened until the engine stops writing
// (so readrandom, after it, reads a store at rest).
inline void overwrite(benchmark::State& state, const Engine& engine) {
  overwritten()[engine.name].reset();  // the last repetition's store, closed before the next
  const std::string dir = bench_dir().fresh(std::string("overwrite-") + engine.name);
  settle_disk();
  const std::uint64_t before = bytes_written_so_far();
  auto db = engine.open(dir, DbSettings{});
  write_entries(*db, kEntries, random_order(1));  // fillrandom first, not timed
  settle_disk();
  for (auto _ : state) write_entries(*db, kEntries, random_order(2));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kEntries);
  report_write_amp(state, engine.name, before, 2 * static_cast<std::uint64_t>(kEntries));
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
    db = engine.open(bench_dir().fresh(std::string("overwrite-") + engine.name), DbSettings{});
    write_entries(*db, kEntries, random_order(1));
    write_entries(*db, kEntries, random_order(2));
    vkv::bench::wait_until_writes_stop();
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
    VkvDb built(bench_dir().fresh("overwrite-" + setup.name), DbSettings{}, setup);
    write_entries(built, kEntries, random_order(1));
    write_entries(built, kEntries, random_order(2));
  }
  db = std::make_unique<VkvDb>(dir, DbSettings{}, setup, /*plain=*/true);
  readrandom(state, Engine{setup.name, nullptr});
}

// Each workload runs one pass (a million entries is long enough to time), by the wall clock
// (LevelDB's and RocksDB's compaction threads work for them in the background). The writes
// are repeated and their means compared: these machines are noisy, and fillsync measures
// little but the disk's flush latency, the same for every store.
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

// The size of each engine's files over the raw bytes written, after each fill.
inline void print_sizes(const vkv::bench::RecordingReporter& reporter) {
  constexpr double kTarget = 1.15;
  std::printf("\n%-44s %12s %8s  %s\n", "files on disk / raw key+value bytes", "value", "target",
              "verdict");
  for (const char* fill : {"fillseq/", "fillrandom/"}) {
    for (const Engine& e : engines()) {
      const bool ours = std::any_of(vkv_setups().begin(), vkv_setups().end(),
                                    [&](const VkvSetup& s) { return s.name == e.name; });
      const std::string name = fill + e.name;
      const double r = reporter.value(run_name(name, kRepetitions), "disk_ratio");
      if (r <= 0) continue;
      std::printf("%-44s %12.3f %8s  %s\n", name.c_str(), r, ours ? "<= 1.15" : "-",
                  !ours ? "(shown)" : r <= kTarget ? "meets target" : "MISSES target");
    }
  }
}

// Each engine's write amplification over fillrandom + overwrite, then each vkv setup's over
// each baseline's (target: at most LevelDB's).
inline void print_write_amp(const vkv::bench::RecordingReporter& reporter) {
  const auto amp = [&](const std::string& engine) {
    return reporter.value(run_name("overwrite/" + engine, kRepetitions), "write_amp");
  };
  const std::vector<Engine> all = engines();
  if (std::none_of(all.begin(), all.end(), [&](const Engine& e) { return amp(e.name) > 0; })) {
    return;  // overwrite was filtered out
  }
  std::printf("\n%-44s %12s %8s  %s\n", "write-amp: bytes written / key+value bytes",
              "value", "target", "verdict");
  for (const Engine& e : all) {
    const double a = amp(e.name);
    if (a > 0) std::printf("%-44s %12.2f %8s  (shown)\n", ("fillrandom+overwrite/" + e.name).c_str(), a, "-");
  }
  for (const VkvSetup& setup : vkv_setups()) {
    for (const Engine& b : baselines()) {
      const double ours = amp(setup.name);
      const double theirs = amp(b.name);
      if (ours <= 0 || theirs <= 0) continue;
      const double r = ours / theirs;
      const bool has_target = b.name == "leveldb";
      std::printf("%-44s %12.2f %8s  %s\n", ("write-amp: " + setup.name + " / " + b.name).c_str(),
                  r, has_target ? "<= 1.00" : "-",
                  !has_target ? "(shown)" : r <= 1.0 ? "meets target" : "MISSES target");
    }
  }
}

// The start of every program built on this library: reads Google Benchmark's flags (false
// on one it does not know), names the scratch directory build/bench-data/`dir_name`, takes
// the run's vkv setups, and says which baselines are missing and how the write meter did.
inline bool begin_run(int& argc, char** argv, const std::string& dir_name,
                      std::vector<VkvSetup> setups) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return false;
  bench_dir_name() = dir_name;
  vkv_setups() = std::move(setups);
  print_missing_baselines();
  print_write_meter_check(bench_dir());
  return true;
}

// Runs the workloads on every vkv setup of `setups`, LevelDB and RocksDB, then prints each
// setup's ratios against LevelDB and RocksDB and, with several setups, each later setup's
// against the first (the before and after of chapter 7); then the files' sizes and the write
// amplification. Its scratch directory is build/bench-data/`dir_name`.
inline int db_bench_main(int argc, char** argv, const std::string& dir_name,
                         std::vector<VkvSetup> setups) {
  if (!begin_run(argc, argv, dir_name, std::move(setups))) return 1;
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
    for (const Engine& b : baselines()) {
      // The setup's own targets, or chapter 5's: the writes at least LevelDB's.
      const auto target = [&](const std::string& workload) {
        if (setup.targets.empty()) return b.name == "leveldb" && workload != "readrandom" ? 1.0 : 0;
        const auto it = setup.targets.find(workload + "/" + b.name);
        return it == setup.targets.end() ? 0 : it->second;
      };
      ratio("fillseq", v, b.name, "entries/s", target("fillseq"));
      ratio("fillrandom", v, b.name, "entries/s", target("fillrandom"));
      ratio("overwrite", v, b.name, "entries/s", target("overwrite"));
      ratio("readrandom", v, b.name, "reads/s", target("readrandom"));
      if (&setup == &vkv_setups().front()) ratio("readrandom", v + "-plain", b.name, "reads/s", 0);
      ratio("fillsync", v, b.name, "entries/s", target("fillsync"));
    }
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
  print_write_amp(reporter);
  return 0;
}

}  // namespace vkv::bench::db
