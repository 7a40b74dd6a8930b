// The compaction simulator (bench/compaction_sim.hpp), on a small shape: nothing is lost,
// leveled's levels stay in order, and the two strategies show the trade-off the page says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "08-compaction/bench/compaction_sim.hpp"

using SimEntry = vkv::sim::Entry;
using vkv::sim::Leveled;
using vkv::sim::Run;
using vkv::sim::SimOptions;
using vkv::sim::SimResult;
using vkv::sim::Tiered;
using vkv::sim::Workload;

namespace {

// vkv's proportions at a tenth of the simulator's default sizes.
SimOptions small_shape() {
  SimOptions o;
  o.memtable_entries = 400;
  o.table_entries = 200;
  o.level1_entries = 1000;
  return o;
}

const Workload kOverwrite{"overwrite", 20000, 200000, false, 7};
const Workload kFill{"fill", 100000, 100000, true, 7};

// `w` run against a fresh tree of type T.
template <typename T>
SimResult run(const Workload& w) {
  T tree(small_shape());
  return vkv::sim::simulate(tree, w, small_shape());
}

}  // namespace

TEST_CASE("compaction sim: merge_runs keeps one entry per key, the newer", "[ch08]") {
  const Run newer{{1, 10}, {3, 11}, {5, 12}};
  const Run older{{1, 2}, {2, 3}, {5, 4}, {9, 5}};
  const Run merged = vkv::sim::merge_runs(newer, older);
  REQUIRE(merged.size() == 5);
  const SimEntry want[] = {{1, 10}, {2, 3}, {3, 11}, {5, 12}, {9, 5}};
  for (std::size_t i = 0; i < merged.size(); ++i) {
    CHECK(merged[i].key == want[i].key);
    CHECK(merged[i].seq == want[i].seq);
  }
}

TEST_CASE("compaction sim: every live key's newest write is found, both strategies, both "
          "workloads", "[ch08]") {
  for (const Workload& w : {kOverwrite, kFill}) {
    for (const SimResult& r : {run<Leveled>(w), run<Tiered>(w)}) {
      INFO(w.name);
      CHECK(r.user_writes == w.writes);
      CHECK(r.lost == 0);
      CHECK(r.space_mean >= 1.0);  // at least one entry per live key
      CHECK(r.merges > 0);
    }
  }
}

TEST_CASE("compaction sim: leveled's levels never overlap, flush after flush", "[ch08]") {
  const SimOptions o = small_shape();
  Leveled tree(o);
  std::mt19937_64 random(3);
  std::uniform_int_distribution<std::uint64_t> any_key(0, 9999);
  std::uint64_t seq = 0;
  for (int flush = 0; flush < 300; ++flush) {
    std::vector<bool> taken(10000, false);
    Run run;
    while (run.size() < o.memtable_entries) {
      const std::uint64_t key = any_key(random);
      if (!taken[key]) {
        taken[key] = true;
        run.push_back({key, 0});
      }
    }
    std::sort(run.begin(), run.end(), [](const SimEntry& a, const SimEntry& b) { return a.key < b.key; });
    for (SimEntry& e : run) e.seq = ++seq;
    tree.add_flushed(std::move(run));
    REQUIRE(tree.levels_in_order());
    REQUIRE(tree.level_entries(0) < o.l0_trigger * o.memtable_entries);  // level 0 went down
  }
  CHECK(tree.level_entries(2) > 0);  // deep enough to have moved tables between levels
}

TEST_CASE("compaction sim: overwrites cost leveled more writes, tiered more reads and space",
          "[ch08]") {
  const SimResult leveled = run<Leveled>(kOverwrite);
  const SimResult tiered = run<Tiered>(kOverwrite);
  INFO("write amp " << leveled.write_amp() << " / " << tiered.write_amp() << "; runs "
                    << leveled.runs_mean << " / " << tiered.runs_mean << "; peak space "
                    << leveled.space_peak << " / " << tiered.space_peak);
  CHECK(tiered.write_amp() < leveled.write_amp());
  CHECK(tiered.runs_mean > leveled.runs_mean);
  CHECK(tiered.runs_max > leveled.runs_max);
  CHECK(tiered.looked_mean > leveled.looked_mean);
  CHECK(tiered.space_peak > leveled.space_peak);
}

TEST_CASE("compaction sim: a sequential fill goes down leveled's levels by trivial moves",
          "[ch08]") {
  const SimResult fill = run<Leveled>(kFill);
  const SimResult overwrite = run<Leveled>(kOverwrite);
  CHECK(fill.moves > fill.merges);
  // Each entry written by its flush and once more, as level 0 goes to level 1 whole.
  CHECK(fill.write_amp() == Approx(2.0).epsilon(0.05));
  CHECK(fill.write_amp() < overwrite.write_amp());
  CHECK(fill.space_mean == Approx(1.0));  // nothing overwritten, nothing to keep twice
}
