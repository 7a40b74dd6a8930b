// LevelDB's classic db_bench workloads, run on vkv's LsmStore and on LevelDB side by side in
// one process, with the same keys, values and settings:
//   fillseq     1M writes, keys in order                      (sync off)
//   fillrandom  1M writes, keys drawn at random from 1M       (sync off)
//   overwrite   1M random writes over a fillrandom'd store    (sync off)
//   readrandom  random reads of that overwritten store
//   fillsync    10k random writes, each synced before the next
// Keys are 16 bytes ("%016d"), values 100 bytes, no compression, a 4 MiB write buffer
// (vkv: --memtable-bytes 4M; LevelDB: write_buffer_size), an 8 MiB block cache (vkv:
// block_cache_bytes; LevelDB: NewLRUCache) and Bloom filters of 10 bits per key on both
// sides (vkv: filter_bits_per_key; LevelDB: NewBloomFilterPolicy). vkv runs --sync never for
// the fills and always for fillsync; LevelDB runs WriteOptions.sync false and true alike.
//
// Each workload prints a ratio, vkv's entries per second over LevelDB's (target 1.0 for the
// writes; readrandom is shown: without compaction vkv still looks at every table whose key
// range holds the key, if mostly only at its filter). readrandom is also run on vkv with the
// filters and the cache off ("vkv-plain": the read path before this chapter had them),
// reopening the same store. After the fills it prints the size of vkv's files over the raw
// key and value bytes written (target at most 1.15).
//
// The stores live in $VKV_BENCH_DIR, or build/bench-data/ch05-db beside this program's
// directory (a real disk: fdatasync on a tmpfs costs nothing), removed at exit. Without
// libleveldb-dev the program still builds and runs, and says that the LevelDB rows are
// skipped.
#include "05-sstables/bench/db_bench.hpp"

int main(int argc, char** argv) {
  return vkv::bench::db::db_bench_main(argc, argv, "ch05-db", {vkv::bench::db::VkvSetup{}});
}
