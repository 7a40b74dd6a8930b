/// \file
/// Compaction: which tables to merge next, and the merge's rule for what to keep.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "04-memtable/iterator.hpp"
#include "08-compaction/levels.hpp"
#include "08-compaction/version.hpp"

namespace vkv::storage {

//! [compaction]
/// One compaction: tables of `level` merged with the tables of `level + 1` whose key ranges
/// they meet; the result replaces both, in `level + 1`.
struct Compaction {
  int level = 0;                ///< Where the inputs are; the output goes one deeper.
  Version::Tables inputs;       ///< From `level` (level 0: newest first).
  Version::Tables overlapped;   ///< From `level + 1`, in key order.

  /// One input and nothing below to merge with: the table can simply move down a level,
  /// with no read and no write (a sequential fill compacts this way).
  [[nodiscard]] bool trivial_move() const { return inputs.size() == 1 && overlapped.empty(); }
  /// The bytes the merge reads.
  [[nodiscard]] std::uint64_t input_bytes() const;
};

/// How much `level` needs compacting: level 0 by its table count over
/// `l0_compaction_trigger` (each of its tables costs every read a look), or by its bytes
/// over `l0_space_ratio` of the levels below, whichever is more; deeper levels by their bytes
/// over their target size. 1 or more: it should be compacted.
double compaction_score(const Version& v, const LevelOptions& options, int level);

/// Where each level's last compaction ended: the next one starts after it, so that every
/// key range of a level gets its turn.
using CompactionCursors = std::array<std::string, kLevels>;

/// The compaction to run next: the level with the highest score, if it is 1 or more. Level
/// 0: all its tables (they may overlap each other, so they go down together). A deeper
/// level: its first table after `cursors[level]` (from the start again after the last).
/// Nothing when no level needs it. The last level is never compacted.
std::optional<Compaction> pick_compaction(const Version& v, const LevelOptions& options,
                                          const CompactionCursors& cursors);
//! [compaction]

//! [dropping-iterator]
/// The entries a compaction into `output_level` keeps, from the merge of its inputs (a
/// NewestWinsIterator or a NewestWinsHeap, which has already dropped overwritten entries):
/// every value, and each tombstone that may still hide an older value in a level below
/// `output_level`. A tombstone with nothing below to hide has done its work, and is dropped.
/// A value that `dead_value` calls dead (LevelOptions::dead_value) goes as a tombstone
/// would: dropped, or kept as a tombstone (kind() kTombstone, an empty value()).
class CompactionIterator final : public Iterator {
 public:
  /// Over `merged`, for a compaction of `base` into `output_level`.
  CompactionIterator(std::unique_ptr<Iterator> merged, std::shared_ptr<const Version> base,
                     int output_level,
                     std::function<bool(std::string_view, std::string_view)> dead_value = {});

  [[nodiscard]] bool valid() const override { return merged_->valid(); }
  void seek_to_first() override;
  void seek(std::string_view target) override;
  void next() override;
  [[nodiscard]] std::string_view key() const override { return merged_->key(); }
  [[nodiscard]] std::string_view value() const override {
    return dead_ ? std::string_view() : merged_->value();
  }
  [[nodiscard]] EntryKind kind() const override {
    return dead_ ? EntryKind::kTombstone : merged_->kind();
  }
  [[nodiscard]] Status status() const override { return merged_->status(); }

  /// Tombstones dropped so far.
  [[nodiscard]] std::uint64_t dropped_tombstones() const { return dropped_; }
  /// Values `dead_value` called dead so far (dropped or kept as tombstones).
  [[nodiscard]] std::uint64_t dead_values() const { return dead_values_; }

 private:
  void skip_dropped();

  std::unique_ptr<Iterator> merged_;
  std::shared_ptr<const Version> base_;
  int output_level_;
  std::function<bool(std::string_view, std::string_view)> dead_value_;
  bool dead_ = false;  // the entry here is a dead value, kept as a tombstone
  std::uint64_t dropped_ = 0;
  std::uint64_t dead_values_ = 0;
};
//! [dropping-iterator]

}  // namespace vkv::storage
