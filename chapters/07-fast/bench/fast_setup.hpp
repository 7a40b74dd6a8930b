// Chapter 7's store as a db_bench engine (05-sstables/bench/db_bench.hpp), for the programs
// that compare it: chapter 5's store made of chapter 7's parts (FastStore's log files and
// memtable shards), named "ch07".
#pragma once

#include "05-sstables/bench/db_bench.hpp"
#include "07-fast/fast_store.hpp"

namespace vkv::bench::db {

// The "ch07" setup. One FastStore per sync policy (its Env's log files are made for the
// policy), kept for the whole run: the stores opened with the setup must not outlive it.
inline VkvSetup fast_setup() {
  using vkv::storage::LsmStoreOptions;
  static vkv::storage::FastStore for_never;
  static vkv::storage::FastStore for_always;
  VkvSetup fast;
  fast.name = "ch07";
  fast.env = [](const LsmStoreOptions& o) -> vkv::Env& {
    return (o.durable.sync == vkv::storage::SyncPolicy::kAlways ? for_always : for_never)
        .env_for(o);
  };
  fast.tune = vkv::storage::FastStore::tune;
  return fast;
}

}  // namespace vkv::bench::db
