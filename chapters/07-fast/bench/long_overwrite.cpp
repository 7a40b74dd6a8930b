// The long overwrite run (05-sstables/bench/long_overwrite.hpp) on chapter 7's store
// ("ch07", fast_setup.hpp), LevelDB and RocksDB: 100k keys overwritten $VKV_LONG_WRITES
// times (5M unless told; the figures are for 10M), unsynced, with a 16 MiB write
// buffer. Without compaction the store's directory grows with every write, and so do its
// restart and its recovered-entries count: this is the "before" that compaction is measured
// against.
//
//   build/bench/ch07-long-overwrite                      the full run
//   VKV_LONG_WRITES=10M build/bench/ch07-long-overwrite  the run (2M: a short one)
//   build/bench/ch07-long-overwrite --benchmark_filter=ch07   one engine
#include "05-sstables/bench/long_overwrite.hpp"
#include "07-fast/bench/fast_setup.hpp"

int main(int argc, char** argv) {
  return vkv::bench::db::long_overwrite_main(argc, argv, "ch07-long",
                                             {vkv::bench::db::fast_setup()});
}
