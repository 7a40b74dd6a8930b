/// \file
/// A compaction simulator: two ways to keep an LSM tree in shape, run in memory on a model of
/// its tables, so that their write, space and read amplification can be compared in seconds.
///
/// The model keeps what compaction decides on and nothing else: an entry is a key and the
/// sequence number of the write that made it (all entries have the same size, so counts of
/// entries stand for bytes); a run is a sorted array of entries, one per key. There are no
/// values, no files and no deletes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "08-compaction/levels.hpp"

namespace vkv::sim {

/// One entry of a table: a key, and the sequence number of the write that made it (1, 2, ...;
/// a larger one is newer).
struct Entry {
  std::uint64_t key = 0;  ///< The key.
  std::uint64_t seq = 0;  ///< Which write made it.
};

/// A sorted run: entries in increasing key order, at most one per key.
using Run = std::vector<Entry>;

/// The shape of the simulated tree. Sizes count entries; the defaults keep the proportions of
/// LevelOptions' defaults and chapter 5's memtable (4 MiB memtable, 2 MiB tables, a 10 MiB
/// level 1) at a thousand entries per MiB.
struct SimOptions {
  /// A flush happens when the memtable holds this many keys.
  std::uint64_t memtable_entries = 4000;
  /// Leveled: compaction output is cut into tables this big.
  std::uint64_t table_entries = 2000;
  /// Leveled: level 1's target; each deeper level's is `fanout` times the one above.
  std::uint64_t level1_entries = 10000;
  /// Leveled: level 0 is compacted once it holds this many tables (vkv's default).
  std::uint64_t l0_trigger = storage::LevelOptions{}.l0_compaction_trigger;
  /// Leveled: how much bigger each level is than the one above (vkv's default).
  std::uint64_t fanout = storage::LevelOptions{}.level_size_multiplier;
  /// Tiered: this many neighbouring runs of one size class are merged into one.
  std::uint64_t tier_runs = 4;
};

/// An LSM tree's tables, kept in shape by one compaction strategy.
class Tree {
 public:
  virtual ~Tree() = default;

  /// The strategy's name, for the table ("leveled", "tiered").
  [[nodiscard]] virtual std::string name() const = 0;
  /// Adds a run that the memtable flushed, then compacts until the tree is in shape again.
  /// REQUIRES: every entry of `run` is newer than every entry already in the tree.
  virtual void add_flushed(Run run) = 0;
  /// The sequence number of `key`'s newest entry, or 0 when no table holds it, found the way a
  /// GET finds it: newest tables first, stopping at the first that holds the key. Adds to
  /// `*looked` one for each table whose key range holds `key` (without a Bloom filter each
  /// such table costs a block read).
  virtual std::uint64_t get(std::uint64_t key, std::uint64_t* looked) const = 0;
  /// How many tables a GET must look in, at most, now: the read amplification's worst case.
  [[nodiscard]] virtual std::uint64_t runs_to_check() const = 0;
  /// How many entries all the tables hold now.
  [[nodiscard]] virtual std::uint64_t stored_entries() const = 0;

  /// Entries written by compactions so far (flushes not counted).
  [[nodiscard]] std::uint64_t compacted_entries() const { return compacted_; }
  /// Compactions that merged and wrote.
  [[nodiscard]] std::uint64_t merges() const { return merges_; }
  /// Compactions that only moved a table down a level, writing nothing.
  [[nodiscard]] std::uint64_t moves() const { return moves_; }
  /// The most entries stored at once since the last take_peak(), counting a merge's output
  /// together with its inputs (both are on disk until the merge's edit is recorded).
  std::uint64_t take_peak();

 protected:
  /// Records a merge that wrote `written` entries while the tree held `stored` besides them.
  void count_merge(std::uint64_t stored, std::uint64_t written);
  /// Records a trivial move.
  void count_move() { ++moves_; }

 private:
  std::uint64_t compacted_ = 0;
  std::uint64_t merges_ = 0;
  std::uint64_t moves_ = 0;
  std::uint64_t peak_ = 0;
};

/// The entries of `newer` and `older` (both sorted), one per key: where both hold a key, the
/// one of `newer`.
Run merge_runs(const Run& newer, const Run& older);

/// Leveled compaction as vkv's VersionSet does it: level 0 holds flushed tables and goes down
/// whole once it has `l0_trigger` of them; each deeper level holds tables that do not overlap
/// and may grow to `fanout` times the one above; the fullest level (by score) goes first, one
/// table at a time, taking turns through its key range; a table with nothing below to merge
/// with moves down without a write.
class Leveled final : public Tree {
 public:
  /// An empty tree of the shape `options` gives.
  explicit Leveled(const SimOptions& options) : options_(options) {}

  [[nodiscard]] std::string name() const override { return "leveled"; }
  void add_flushed(Run run) override;
  std::uint64_t get(std::uint64_t key, std::uint64_t* looked) const override;
  [[nodiscard]] std::uint64_t runs_to_check() const override;
  [[nodiscard]] std::uint64_t stored_entries() const override;

  /// True when levels 1 and deeper are in order: each level's tables sorted by key, none
  /// overlapping the next; every table non-empty and sorted.
  [[nodiscard]] bool levels_in_order() const;
  /// The entries level `level` holds.
  [[nodiscard]] std::uint64_t level_entries(int level) const;

 private:
  static constexpr int kLevels = storage::kLevels;

  [[nodiscard]] double score(int level) const;
  [[nodiscard]] int pick_level() const;
  void compact(int level);
  void install(int level, const std::vector<Run>& inputs, std::size_t first, std::size_t end,
               Run merged);

  SimOptions options_;
  std::vector<Run> level0_;                     // oldest first
  std::array<std::vector<Run>, kLevels> levels_;  // 1 and deeper: by smallest key
  std::array<std::uint64_t, kLevels> cursors_{};  // where each level's last compaction ended
};

/// Size-tiered compaction: runs stay as they are written, newest first, each in a size class
/// (about log base tier_runs of its size in memtables); as soon as `tier_runs` neighbouring
/// runs are in the same class, they are merged into one.
class Tiered final : public Tree {
 public:
  /// An empty tree of the shape `options` gives.
  explicit Tiered(const SimOptions& options) : options_(options) {}

  [[nodiscard]] std::string name() const override { return "tiered"; }
  void add_flushed(Run run) override;
  std::uint64_t get(std::uint64_t key, std::uint64_t* looked) const override;
  [[nodiscard]] std::uint64_t runs_to_check() const override { return runs_.size(); }
  [[nodiscard]] std::uint64_t stored_entries() const override;

 private:
  [[nodiscard]] int size_class(const Run& run) const;
  bool merge_one_tier();

  SimOptions options_;
  std::vector<Run> runs_;  // newest first
};

/// What the user writes.
struct Workload {
  std::string name;              ///< For the table: "overwrite", "fill".
  std::uint64_t keys = 0;        ///< Keys 0 .. keys - 1.
  std::uint64_t writes = 0;      ///< How many writes.
  bool sequential = false;       ///< True: key i % keys for write i; false: uniformly random.
  std::uint64_t seed = 1;        ///< For the random keys.
};

/// What one run of a workload against a tree measured.
struct SimResult {
  std::uint64_t user_writes = 0;  ///< Writes made.
  std::uint64_t flushed = 0;      ///< Entries written by flushes.
  std::uint64_t compacted = 0;    ///< Entries written by compactions.
  std::uint64_t merges = 0;       ///< Compactions that wrote.
  std::uint64_t moves = 0;        ///< Compactions that only moved a table.
  // Sampled at each flush of the second half of the writes, once the tree is no longer tiny:
  double space_mean = 0;          ///< Entries stored over live keys, after the compactions.
  double space_peak = 0;          ///< The same at its highest, counting merges' outputs.
  double runs_mean = 0;           ///< runs_to_check(), on average.
  std::uint64_t runs_max = 0;     ///< ... and at its highest.
  double looked_mean = 0;         ///< Tables a GET of a key the tables hold looks in.
  std::uint64_t lost = 0;         ///< Live keys whose newest write a GET missed (must be 0).

  /// Entries written to tables (flushes and compactions) per entry the user wrote.
  [[nodiscard]] double write_amp() const {
    return static_cast<double>(flushed + compacted) / static_cast<double>(user_writes);
  }
};

/// Runs `workload` against `tree` (empty), with a memtable of `options.memtable_entries` keys
/// that is flushed when full and once more at the end; then looks every live key up. The peak,
/// the runs and a few GETs are sampled at each flush of the second half of the writes.
SimResult simulate(Tree& tree, const Workload& workload, const SimOptions& options);

}  // namespace vkv::sim
