// Chapter 5's db_bench workloads (05-sstables/bench/db_bench.hpp) on three stores in one
// run: chapter 5's store as chapters 3 to 5 teach it ("ch05"), the same store made of
// chapter 7's parts ("ch07": FastStore's log files and memtable shards), and LevelDB. Each
// vkv store's ratios against LevelDB, then chapter 7's against chapter 5's: this chapter's
// storage work as one before/after pair per workload.
#include "05-sstables/bench/db_bench.hpp"
#include "07-fast/fast_store.hpp"

int main(int argc, char** argv) {
  using vkv::bench::db::VkvSetup;
  using vkv::storage::LsmStoreOptions;
  // One FastStore per sync policy: its Env's log files are made for the policy.
  static vkv::storage::FastStore for_never;
  static vkv::storage::FastStore for_always;
  VkvSetup clear;
  clear.name = "ch05";
  VkvSetup fast;
  fast.name = "ch07";
  fast.env = [](const LsmStoreOptions& o) -> vkv::Env& {
    return (o.durable.sync == vkv::storage::SyncPolicy::kAlways ? for_always : for_never)
        .env_for(o);
  };
  fast.tune = vkv::storage::FastStore::tune;
  return vkv::bench::db::db_bench_main(argc, argv, "ch07-db", {clear, fast});
}
