// Chapter 5's db_bench workloads (05-sstables/bench/db_bench.hpp) on four stores in one
// run: chapter 5's store as chapters 3 to 5 teach it ("ch05"), the same store made of
// chapter 7's parts ("ch07": FastStore's log files and memtable shards, fast_setup.hpp),
// LevelDB and RocksDB. Each vkv store's ratios against LevelDB and RocksDB, then chapter 7's
// against chapter 5's: this chapter's storage work as one before/after pair per workload;
// then each store's write amplification.
#include "07-fast/bench/fast_setup.hpp"

int main(int argc, char** argv) {
  vkv::bench::db::VkvSetup clear;
  clear.name = "ch05";
  return vkv::bench::db::db_bench_main(argc, argv, "ch07-db",
                                       {clear, vkv::bench::db::fast_setup()});
}
