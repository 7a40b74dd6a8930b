// Chapter 5's crash simulation (lsm_crash.hpp), with the tables in levels and compactions
// running inline, so that every write, sync, rename and delete of every compaction is a
// crash point in turn: after each, recovery shows exactly the acknowledged data.
#include <catch2/catch.hpp>

#include "05-sstables/tests/lsm_crash.hpp"
#include "08-compaction/tests/leveled_store.hpp"

using vkv::Env;
using vkv::storage::LsmStoreOptions;
using vkv::storage::SyncPolicy;
using vkv::storage::VersionSet;
using vkv::testing::CrashDriver;
using vkv::testing::TempDir;

namespace {

// Level 0 compacted at 2 tables, inline: the workload's flushes each make a compaction.
void leveled(LsmStoreOptions& o) {
  o.table_set = VersionSet::factory(vkv::testing::tiny_levels(/*background=*/false));
}

}  // namespace

TEST_CASE("compaction crash: the workload compacts", "[ch08][crash]") {
  TempDir tmp;
  VersionSet* set = nullptr;
  auto options = vkv::testing::leveled_options(tmp.file("data"),
                                               vkv::testing::tiny_levels(false), &set,
                                               SyncPolicy::kAlways);
  auto store = vkv::storage::LsmStore::open(Env::posix(), options);
  REQUIRE(store.is_ok());
  const auto run = vkv::testing::write_workload(**store, vkv::testing::lsm_crash::workload());
  CHECK(run.acked == vkv::testing::lsm_crash::workload().size());
  std::uint64_t compactions = 0;
  for (const auto& level : set->stats().levels) compactions += level.compactions + level.moves;
  CHECK(compactions >= 1);
}

TEST_CASE("compaction crash: at every mutating operation of a compacting workload, nothing "
          "acknowledged is lost and nothing deleted comes back",
          "[ch08][crash]") {
  std::uint64_t flushes = 0;
  std::size_t leftovers_removed = 0;
  CrashDriver driver = vkv::testing::lsm_crash::lsm_store_driver(leveled, &flushes,
                                                                  &leftovers_removed);
  const std::uint64_t total_ops = driver.count_mutating_ops();
  REQUIRE(flushes >= 3);
  driver.crash_at_every_op(total_ops, [](std::uint64_t k) {
    std::vector<std::uint64_t> keeps{0};
    if (k % 4 == 0) keeps.push_back(CrashDriver::kKeepAll);
    return keeps;
  });
  CHECK(leftovers_removed > 0);  // crash points fell inside flushes and compactions
}

TEST_CASE("compaction crash: a process crash loses nothing acknowledged, under every policy",
          "[ch08][crash]") {
  vkv::testing::lsm_crash::lsm_store_driver(leveled).crash_process_under_every_policy();
}
