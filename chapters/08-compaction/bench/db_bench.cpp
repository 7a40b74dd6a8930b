// Chapter 5's db_bench workloads (05-sstables/bench/db_bench.hpp) on chapter 7's store
// ("ch07": no compaction, tables pile up) and chapter 8's ("ch08": the same parts, with its
// tables in levels and compacted in the background), beside LevelDB and RocksDB, in one run.
#include "08-compaction/bench/ch08_setup.hpp"

int main(int argc, char** argv) {
  using namespace vkv::bench::db;
  return db_bench_main(argc, argv, "ch08-db", {fast_setup(), leveled_setup()});
}
