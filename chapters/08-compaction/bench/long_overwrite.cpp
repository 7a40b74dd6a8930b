// The long overwrite run (05-sstables/bench/long_overwrite.hpp): 100k keys overwritten
// millions of times, on chapter 7's store (no compaction) and chapter 8's, beside LevelDB and
// RocksDB: how the directory grows, the write amplification, the restart.
#include "05-sstables/bench/long_overwrite.hpp"
#include "08-compaction/bench/ch08_setup.hpp"

int main(int argc, char** argv) {
  using namespace vkv::bench::db;
  return long_overwrite_main(argc, argv, "ch08-long", {fast_setup(), leveled_setup()});
}
