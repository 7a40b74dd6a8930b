/// \file
/// VersionSet: the tables in levels, merged in the background (leveled compaction).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "05-sstables/table_set.hpp"
#include "08-compaction/compaction.hpp"
#include "08-compaction/level_manifest.hpp"
#include "08-compaction/levels.hpp"
#include "08-compaction/row_cache.hpp"
#include "08-compaction/version.hpp"

namespace vkv::storage {

/// What compaction has done to one level since the store opened, and what it holds now.
struct LevelStats {
  std::size_t tables = 0;          ///< Tables in the level now.
  std::uint64_t bytes = 0;         ///< Their bytes.
  double score = 0;                ///< compaction_score(): 1 or more wants compacting.
  std::uint64_t compactions = 0;   ///< Compactions whose output went to this level.
  std::uint64_t moves = 0;         ///< Tables moved into it without a rewrite.
  std::uint64_t bytes_read = 0;    ///< Bytes those compactions read.
  std::uint64_t bytes_written = 0; ///< Bytes they wrote.
  double seconds = 0;              ///< Time they took.
};

/// What the whole set has done since the store opened.
struct VersionSetStats {
  std::array<LevelStats, kLevels> levels;  ///< Each level's.
  std::uint64_t flushed_bytes = 0;         ///< Bytes of tables written by flushes.
  std::uint64_t dropped_tombstones = 0;    ///< Tombstones compactions had no more use for.
  std::uint64_t dead_values = 0;           ///< Values LevelOptions::dead_value called dead.
  std::uint64_t slowed_writes = 0;         ///< Writes paced while level 0 was filling.
  std::uint64_t stopped_writes = 0;        ///< Writes that waited for compaction to catch up.
  double stopped_seconds = 0;              ///< How long those waited, in all.
  std::uint64_t failed_compactions = 0;    ///< Compactions that failed (and were retried).
  std::uint64_t row_cache_hits = 0;        ///< GETs the row cache answered.
  std::size_t row_cache_bytes = 0;         ///< Bytes the row cache holds now.
  bool compacting = false;                 ///< Whether the compaction thread is at work now.
};

/// Chapter 8's TableSet: the tables of chapter 5 in levels, kept in shape by a compaction
/// thread of its own.
///
/// **Flushes** add tables to level 0. **Compaction** runs on the set's thread whenever a
/// level's score reaches 1 (see pick_compaction()): it merges the chosen tables through a
/// NewestWinsHeap (NewestWinsIterator's merge, with a heap), drops what is overwritten and
/// the tombstones nothing below needs (CompactionIterator), writes the result as new tables
/// of about `table_bytes` each (chapter 5's crash-safe write_table_file), records the edit in
/// the MANIFEST (one atomic rewrite: inputs out, outputs in), and then shows readers the new
/// Version. The inputs' files go once no reader holds a version with them (LiveTable).
///
/// **Backpressure**: before each write, before_write() paces writes to
/// `slowdown_writes_per_second` once level 0 has `l0_slowdown_trigger` tables, and waits for
/// compaction once it has `l0_stop_trigger`.
///
/// **Failures**: a compaction that fails (a full disk, a damaged input table) says so once
/// through the context's on_error, removes the tables it wrote, deletes nothing else and is
/// tried again later (after 1 s, then longer); reads and writes go on. If level 0 fills up
/// meanwhile, writes are refused with the compaction's error instead of waiting for ever.
///
/// **Start-up** (recover()): reads the MANIFEST (chapter 5's flat one too: its tables
/// become level 0), opens and verifies every table, checks that no deeper level overlaps
/// itself, and removes every table file the MANIFEST does not list: the outputs of a
/// compaction that crashed before its edit, or the inputs of one that crashed after it.
///
/// Thread-safe.
class VersionSet final : public TableSet {
 public:
  /// A set for the store whose context is `context`; no thread runs until recover().
  VersionSet(const TableSetContext& context, const LevelOptions& options);
  /// Lets a running compaction finish, then stops the compaction thread.
  ~VersionSet() override;

  Result<Recovered> recover(std::vector<std::string>& notes) override;
  /// Starts the compaction thread (with `background`), which then looks for work at once.
  void start() override;
  [[nodiscard]] bool is_live(std::uint64_t number) const override;
  /// Adds `table` to level 0 (MANIFEST first), and wakes the compaction thread.
  Status add_flushed(TableFile table, std::uint64_t log_number) override;
  [[nodiscard]] std::shared_ptr<const TableVersion> current() const override { return version(); }
  /// The backpressure described above.
  Status before_write() override;

  /// The tables now, by level.
  [[nodiscard]] std::shared_ptr<const Version> version() const;
  /// Starts loading the row cache entries of `keys` (RowCache::prefetch).
  void prefetch(std::span<const std::string_view> keys) const override {
    row_cache_.prefetch(keys);
  }
  /// What the levels hold and what compaction did.
  [[nodiscard]] VersionSetStats stats() const;
  /// Waits until no level needs compacting (or compaction is failing: then its error).
  Status wait_until_compacted();
  /// Compacts everything, as LevelDB's CompactRange over all keys: each level that holds
  /// tables into the one below it, from level 0 down to one level past the deepest that
  /// holds tables (at most the last level), each as one real merge, never a move, so that
  /// every entry passes through a CompactionIterator: what is overwritten, dead
  /// (LevelOptions::dead_value) or a tombstone with nothing below goes. Where the deepest
  /// level is the last one, it is rewritten whole into itself by the step from the level
  /// above. Tables flushed meanwhile may stay in level 0.
  ///
  /// It costs a rewrite of the whole store, and more (an entry is written once for each level
  /// it goes down), while automatic compactions wait. Use it after much of the data has died
  /// at once (a mass expiry, a large deletion), when waiting for the automatic compactions
  /// to reach those keys would keep their space for long.
  ///
  /// Runs on the compaction thread (or, without `background`, on the caller's) and returns
  /// once done: ok, or the first compaction's failure (its inputs are kept, as for any
  /// failed compaction). Empties the row cache and the block cache too, giving their memory
  /// back. REQUIRES: recover() has run.
  Status compact_all();

  /// A factory for LsmStoreOptions::table_set. When `made` is given, `*made` is set to the
  /// set it makes (which lives as long as its store).
  static TableSetFactory factory(const LevelOptions& options = {}, VersionSet** made = nullptr);

 private:
  void compaction_loop();
  // Picks and runs one compaction (`*ran`: whether one was needed). False when it failed.
  bool compact_once(bool* ran);
  // Runs `c`, picked from `base`, and installs its result; a move when `may_move` and
  // c.trivial_move(). Its error when it failed (said through on_error, kept in failure_).
  Status compact(const Compaction& c, const std::shared_ptr<const Version>& base,
                 bool may_move);
  // compact_all() without a compaction thread: on the caller's, under inline_mu_.
  Status compact_all_inline();
  // compact_all() with one: asks it, and waits.
  Status compact_all_on_thread();
  // compact_all()'s work, on the thread that runs compactions.
  Status compact_everything();
  // The merge of `c`, written as new tables into `*outputs`.
  Status run(const Compaction& c, const std::shared_ptr<const Version>& base,
             Version::Tables* outputs, std::uint64_t* dropped, std::uint64_t* dead);
  // Records `levels` in the MANIFEST, then publishes them. REQUIRES: edit_mu_ is held.
  Status install(Version::Levels levels);
  [[nodiscard]] std::shared_ptr<LiveTable> live(TableFile file) const;
  void count_level0(const Version& v);

  const TableSetContext context_;
  const LevelOptions options_;

  std::mutex edit_mu_;              // one edit of the MANIFEST at a time
  // Without `background`: one thread compacting at a time (a flush, wait_until_compacted(),
  // compact_all()).
  std::mutex inline_mu_;
  std::uint64_t log_number_ = 0;    // guarded by edit_mu_: as last recorded
  std::uint64_t epoch_ = 0;         // guarded by edit_mu_: flushes so far, and compactions
                                    // that found dead values (RowCache)
  RowCache row_cache_;
  CompactionCursors cursors_;       // used by the compaction thread only

  mutable std::mutex version_mu_;
  std::shared_ptr<const Version> version_;  // guarded by version_mu_; replaced whole

  // The compaction thread's state; guarded by work_mu_.
  mutable std::mutex work_mu_;
  std::condition_variable work_cv_;   // a flush added a table, or stop
  std::condition_variable caught_up_; // level 0 shrank, a compaction ended or failed
  bool stop_ = false;
  bool work_pending_ = false;
  bool busy_ = false;                 // the thread is compacting
  Status failure_;                    // the last compaction's error; ok once one succeeds
  std::uint64_t compact_all_requested_ = 0;  // compact_all() calls so far
  std::uint64_t compact_all_done_ = 0;       // of those, how many the thread has answered
  Status compact_all_status_;                // the last answer
  std::size_t level0_tables_ = 0;
  std::atomic<std::size_t> level0_count_{0};  // level0_tables_, read without the lock
  VersionSetStats stats_;
  // While writes are slowed: the time the next write's slot begins (before_write()).
  std::chrono::steady_clock::time_point slow_schedule_;
  std::thread thread_;
};

/// The levels as a table, one row per level that has tables or has been compacted into
/// (as LevelDB's "leveldb.stats"): tables, size, score, and what compaction read and wrote;
/// then the write amplification and the writers' waits.
std::string format_level_stats(const VersionSetStats& stats);

/// Every table of `v`, level by level: number, size and key range.
std::string format_tables(const Version& v);

}  // namespace vkv::storage
