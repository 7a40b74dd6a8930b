// The long overwrite run (05-sstables/bench/long_overwrite.hpp): 100k keys overwritten
// millions of times, on chapter 7's store (no compaction) and chapter 8's, beside LevelDB and
// RocksDB: how the directory grows, the write amplification, the restart. Its samples are
// drawn (bench/long_overwrite.gp) into build/bench/plots/ch08-long.svg:
//
//   VKV_LONG_WRITES=10M build/bench/ch08-long-overwrite
#include "05-sstables/bench/long_overwrite.hpp"
#include "08-compaction/bench/ch08_setup.hpp"

int main(int argc, char** argv) {
  using namespace vkv::bench::db;
  return long_overwrite_main(argc, argv, "ch08-long", {fast_setup(), leveled_setup()},
                             VKV_LONG_OVERWRITE_GNUPLOT);
}
