// Chapter 5's db_bench workloads (05-sstables/bench/db_bench.hpp) on chapter 7's store
// ("ch07": no compaction, tables pile up) and chapter 8's ("ch08": the same parts, with its
// tables in levels and compacted in the background), beside LevelDB (and RocksDB where the
// library has them), in one run.
#include "05-sstables/bench/db_bench.hpp"
#include "07-fast/fast_store.hpp"
#include "08-compaction/version_set.hpp"

int main(int argc, char** argv) {
  using vkv::bench::db::VkvSetup;
  using vkv::storage::LsmStoreOptions;
  // One FastStore per sync policy: its Env's log files are made for the policy.
  static vkv::storage::FastStore for_never;
  static vkv::storage::FastStore for_always;
  const auto env = [](const LsmStoreOptions& o) -> vkv::Env& {
    return (o.durable.sync == vkv::storage::SyncPolicy::kAlways ? for_always : for_never)
        .env_for(o);
  };
  VkvSetup before;
  before.name = "ch07";
  before.env = env;
  before.tune = vkv::storage::FastStore::tune;
  VkvSetup leveled;
  leveled.name = "ch08";
  leveled.env = env;
  leveled.tune = [](LsmStoreOptions& o) {
    vkv::storage::FastStore::tune(o);
    o.table_set = vkv::storage::VersionSet::factory();
  };
  return vkv::bench::db::db_bench_main(argc, argv, "ch08-db", {before, leveled});
}
