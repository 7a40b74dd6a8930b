// The "ch08" VkvSetup of chapter 8's benchmarks: chapter 7's parts (fast_setup) with the
// tables in levels, compacted in the background.
#pragma once

#include "07-fast/bench/fast_setup.hpp"
#include "08-compaction/version_set.hpp"

namespace vkv::bench::db {

inline VkvSetup leveled_setup() {
  VkvSetup leveled = fast_setup();
  leveled.name = "ch08";
  leveled.tune = [](vkv::storage::LsmStoreOptions& o) {
    vkv::storage::FastStore::tune(o);
    o.table_set = vkv::storage::VersionSet::factory(
        vkv::storage::LevelOptions::for_memtable(o.memtable_bytes));
  };
  return leveled;
}

}  // namespace vkv::bench::db
