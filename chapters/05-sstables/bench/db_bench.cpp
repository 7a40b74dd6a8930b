// LevelDB's classic db_bench workloads, run on vkv's LsmStore, LevelDB and RocksDB side by
// side in one process, with the same keys, values and settings:
//   fillseq     1M writes, keys in order                      (sync off)
//   fillrandom  1M writes, keys drawn at random from 1M       (sync off)
//   overwrite   1M random writes over a fillrandom'd store    (sync off)
//   readrandom  random reads of that overwritten store
//   fillsync    10k random writes, each synced before the next
// Keys are 16 bytes ("%016d"), values 100 bytes, no compression, a 4 MiB write buffer, an
// 8 MiB block cache and Bloom filters of 10 bits per key on every engine; vkv runs --sync
// never for the fills and always for fillsync, LevelDB and RocksDB WriteOptions.sync false
// and true alike. db_bench.hpp says how each setting is made on each engine, and why.
//
// Each workload prints a ratio, vkv's entries per second over LevelDB's and over RocksDB's
// (target 1.0 against LevelDB for the writes; readrandom is shown: without compaction vkv
// still looks at every table whose key range holds the key, if mostly only at its filter).
// readrandom is also run on vkv with the filters and the cache off ("vkv-plain": the read
// path before this chapter had them), reopening the same store. After the fills it prints
// the size of vkv's files over the raw key and value bytes written (target at most 1.15),
// and then each engine's write amplification over fillrandom + overwrite: the bytes the
// process wrote to disk (the kernel's count) over the key and value bytes written.
//
// The stores live in $VKV_BENCH_DIR, or build/bench-data/ch05-db beside this program's
// directory (a real disk: fdatasync on a tmpfs costs nothing), removed at exit. Without
// libleveldb-dev or librocksdb-dev the program still builds and runs, and says which rows
// are skipped.
#include "05-sstables/bench/db_bench.hpp"

int main(int argc, char** argv) {
  return vkv::bench::db::db_bench_main(argc, argv, "ch05-db", {vkv::bench::db::VkvSetup{}});
}
