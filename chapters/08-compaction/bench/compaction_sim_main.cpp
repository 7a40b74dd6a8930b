// ch08-compaction-sim: leveled against size-tiered compaction, simulated in memory, under
// random overwrites and a sequential fill. Prints one table (Markdown) of write, space and
// read amplification. `make bench` runs it; `--help` lists the shape and workload flags.
#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "08-compaction/bench/compaction_sim.hpp"
#include "common/flags.hpp"

namespace {

using vkv::sim::SimOptions;
using vkv::sim::SimResult;
using vkv::sim::Workload;

// One row of the table.
void print_row(const Workload& w, const std::string& strategy, const SimResult& r) {
  std::printf("| %-9s | %-7s | %5.1f | %4.2f / %4.2f | %5.1f / %3llu | %4.1f | %4llu / %4llu |\n",
              w.name.c_str(), strategy.c_str(), r.write_amp(), r.space_mean, r.space_peak,
              r.runs_mean, static_cast<unsigned long long>(r.runs_max), r.looked_mean,
              static_cast<unsigned long long>(r.merges), static_cast<unsigned long long>(r.moves));
}

// Runs `w` against a fresh tree of each strategy and prints their rows. False if a GET missed
// a key's newest write (a bug in the simulator).
bool run_workload(const Workload& w, const SimOptions& options) {
  std::vector<std::unique_ptr<vkv::sim::Tree>> trees;
  trees.push_back(std::make_unique<vkv::sim::Leveled>(options));
  trees.push_back(std::make_unique<vkv::sim::Tiered>(options));
  bool ok = true;
  for (auto& tree : trees) {
    const SimResult r = vkv::sim::simulate(*tree, w, options);
    print_row(w, tree->name(), r);
    if (r.lost != 0) {
      std::fprintf(stderr, "%s, %s: %llu keys lost their newest write\n", w.name.c_str(),
                   tree->name().c_str(), static_cast<unsigned long long>(r.lost));
      ok = false;
    }
  }
  return ok;
}

// argv without Google Benchmark's flags, which `make bench` may give every program.
std::vector<const char*> own_args(int argc, char** argv) {
  std::vector<const char*> args;
  for (int i = 0; i < argc; ++i) {
    if (!std::string_view(argv[i]).starts_with("--benchmark_")) args.push_back(argv[i]);
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  SimOptions o;
  std::size_t keys = 1000000, writes = 5000000, fill = 1000000, seed = 1;
  std::size_t memtable = o.memtable_entries, table = o.table_entries, level1 = o.level1_entries;
  std::size_t l0_trigger = o.l0_trigger, fanout = o.fanout, tier_runs = o.tier_runs;
  std::string workload = "both";
  vkv::Flags flags("ch08-compaction-sim",
                   "leveled against size-tiered compaction, simulated: write, space and read "
                   "amplification (sizes in entries, K = 1024)");
  flags.add_size("keys", &keys, "overwrite: distinct keys");
  flags.add_size("writes", &writes, "overwrite: random writes over those keys");
  flags.add_size("fill", &fill, "fill: new keys written in increasing order");
  flags.add_choice("workload", &workload, {"both", "overwrite", "fill"}, "which workloads to run");
  flags.add_size("memtable", &memtable, "keys in the memtable when it is flushed");
  flags.add_size("table", &table, "leveled: entries per table that a compaction writes");
  flags.add_size("level1", &level1, "leveled: level 1's target, in entries");
  flags.add_size("l0-trigger", &l0_trigger, "leveled: level-0 tables that start a compaction");
  flags.add_size("fanout", &fanout, "leveled: each level's target over the one above's");
  flags.add_size("tier-runs", &tier_runs, "tiered: runs of one size class merged together");
  flags.add_size("seed", &seed, "seed of the random keys");
  const std::vector<const char*> args = own_args(argc, argv);
  if (auto code = flags.parse_main(static_cast<int>(args.size()), args.data())) return *code;
  if (keys == 0 || memtable == 0 || table == 0 || level1 == 0 || l0_trigger == 0 ||
      fanout < 2 || tier_runs < 2) {
    std::fprintf(stderr, "ch08-compaction-sim: sizes must be at least 1, --fanout and "
                         "--tier-runs at least 2\n");
    return 2;
  }
  o = {memtable, table, level1, l0_trigger, fanout, tier_runs};

  std::printf("memtable %zu keys; leveled: level-0 trigger %zu, level 1 %zu entries, fanout %zu, "
              "tables of %zu; tiered: %zu runs per merge\n"
              "overwrite: %zu random writes over %zu keys; fill: %zu keys in order; seed %zu\n\n",
              memtable, l0_trigger, level1, fanout, table, tier_runs, writes, keys, fill, seed);
  std::printf("| workload | strategy | write amp | space amp, mean / peak | tables a GET may "
              "check, mean / max | tables a GET of a live key reads | merges / moves |\n"
              "|---|---|---|---|---|---|---|\n");
  bool ok = true;
  if (workload != "fill") ok &= run_workload({"overwrite", keys, writes, false, seed}, o);
  if (workload != "overwrite") ok &= run_workload({"fill", fill, fill, true, seed}, o);
  return ok ? 0 : 1;
}
