// The "ch08" VkvSetup of chapter 8's benchmarks: chapter 7's parts (fast_setup) with the
// tables in levels, compacted in the background.
#pragma once

#include "06-server/background_flusher.hpp"
#include "07-fast/bench/fast_setup.hpp"
#include "08-compaction/version_set.hpp"
#include "08-compaction/mapped_table_file.hpp"

#include <map>
#include <memory>

namespace vkv::bench::db {

inline VkvSetup leveled_setup() {
  VkvSetup leveled = fast_setup();
  leveled.name = "ch08";
  // Flushes on a thread of their own, as in the server (chapter 6's BackgroundFlusher), and
  // as LevelDB and RocksDB flush: the writer fills the next memtable meanwhile. Made before
  // any store, so it outlives them all.
  static vkv::storage::BackgroundFlusher flusher;
  // Tables read through memory maps, as chapter 8's server reads them: one MappedTableEnv
  // over each of chapter 7's Envs, kept for the whole run.
  leveled.env = [fast_env = leveled.env](const vkv::storage::LsmStoreOptions& o) -> vkv::Env& {
    static std::map<vkv::Env*, std::unique_ptr<vkv::storage::MappedTableEnv>> mapped;
    vkv::Env& fast = fast_env(o);
    auto& env = mapped[&fast];
    if (!env) env = std::make_unique<vkv::storage::MappedTableEnv>(fast);
    return *env;
  };
  leveled.tune = [](vkv::storage::LsmStoreOptions& o) {
    vkv::storage::FastStore::tune(o);
    o.block_cache_bytes = 0;  // the page cache is the mapped tables' cache, as in the server
    o.flush_runner = flusher.runner();
    o.table_set = vkv::storage::VersionSet::factory(
        vkv::storage::LevelOptions::for_memtable(o.memtable_bytes));
  };
  // Chapter 8's targets: reads 1.5 times LevelDB's, writes twice, with compaction running;
  // at least RocksDB's in each. (fillseq and fillsync are shown.)
  leveled.targets = {{"readrandom/leveldb", 1.5}, {"fillrandom/leveldb", 2.0},
                     {"overwrite/leveldb", 2.0}, {"readrandom/rocksdb", 1.0},
                     {"fillrandom/rocksdb", 1.0}, {"overwrite/rocksdb", 1.0}};
  return leveled;
}

}  // namespace vkv::bench::db
