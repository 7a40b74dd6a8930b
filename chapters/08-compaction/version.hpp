/// \file
/// Version: the store's tables, by level, as they were at one moment.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "05-sstables/table_set.hpp"
#include "08-compaction/levels.hpp"
#include "08-compaction/row_cache.hpp"

namespace vkv::storage {

//! [live-table]
/// A table in one or more versions. When the last version that holds it lets it go, and
/// a compaction has replaced it (mark_obsolete()), its file is deleted: a reader that took
/// a version before the compaction can still read every table in it.
class LiveTable {
 public:
  /// `file` is the open table; `path` its file, deleted on destruction once obsolete.
  LiveTable(TableFile file, Env& env, std::string path)
      : file_(std::move(file)), env_(&env), path_(std::move(path)) {}
  ~LiveTable();
  LiveTable(const LiveTable&) = delete;
  LiveTable& operator=(const LiveTable&) = delete;

  /// The table.
  [[nodiscard]] const TableFile& file() const { return file_; }
  /// Its number.
  [[nodiscard]] std::uint64_t number() const { return file_.number; }
  /// Its size on disk.
  [[nodiscard]] std::uint64_t bytes() const { return file_.table->file_size(); }
  /// Its first key.
  [[nodiscard]] std::string_view smallest() const { return file_.smallest_key; }
  /// Its last key.
  [[nodiscard]] std::string_view largest() const { return file_.table->largest_key(); }
  /// No new version will hold it: delete its file once the last version lets go.
  void mark_obsolete() { obsolete_.store(true); }

 private:
  TableFile file_;
  Env* env_;
  std::string path_;
  std::atomic<bool> obsolete_{false};
};
//! [live-table]

/// The tables of every level. Level 0's are in the order they were flushed, oldest first,
/// and their key ranges may overlap; each deeper level's are sorted by key and do not
/// overlap. Never changes once made.
class Version final : public TableVersion {
 public:
  /// The tables of one level.
  using Tables = std::vector<std::shared_ptr<LiveTable>>;
  /// The tables of every level, level 0 first.
  using Levels = std::array<Tables, kLevels>;

  /// A version of `levels`. REQUIRES: they have the shape described above. With a
  /// `row_cache`, GETs look there first and remember there what they find, as of `epoch`
  /// (see RowCache).
  explicit Version(Levels levels, RowCache* row_cache = nullptr, std::uint64_t epoch = 0)
      : levels_(std::move(levels)), row_cache_(row_cache), epoch_(epoch) {}

  /// The row cache first, if any; then level 0 newest first, then at most one table per
  /// deeper level (the one whose key range holds the key); the first entry found decides.
  Status get(std::string_view key, std::string* value,
             std::uint64_t* filter_skips) const override;
  /// Level 0 newest first, then each level in key order.
  [[nodiscard]] std::vector<const TableFile*> tables() const override;
  /// Level 0's tables newest first, one iterator each (they may overlap); then one
  /// LevelIterator per deeper level, which reads one table of the level at a time, so a
  /// reader holds a block per level, not per table.
  [[nodiscard]] std::vector<std::unique_ptr<Iterator>> new_iterators() const override;

  /// The tables of `level`.
  [[nodiscard]] const Tables& level(int level) const { return levels_[level]; }
  /// Every level.
  [[nodiscard]] const Levels& levels() const { return levels_; }
  /// The bytes of `level`'s tables.
  [[nodiscard]] std::uint64_t level_bytes(int level) const;
  /// The tables of `level` whose key ranges meet [smallest, largest].
  [[nodiscard]] Tables overlapping(int level, std::string_view smallest,
                                   std::string_view largest) const;
  /// Whether a table below `level` may hold `key` (its key range holds it).
  [[nodiscard]] bool deeper_may_hold(int level, std::string_view key) const;
  /// The flush count this version's row-cache entries are valid for.
  [[nodiscard]] std::uint64_t epoch() const { return epoch_; }

 private:
  // Looks `key` up in the tables, without the row cache.
  Status get_from_tables(std::string_view key, std::string* value,
                         std::uint64_t* filter_skips) const;

  Levels levels_;
  RowCache* row_cache_;   // may be null; outlives every version (the VersionSet owns it)
  std::uint64_t epoch_;
};

/// In `tables`, sorted by key and not overlapping (a level below 0): the index of the first
/// table whose largest key is >= `key`, the only one that may hold it or anything after it
/// (tables.size() when there is none).
std::size_t first_table_reaching(const Version::Tables& tables, std::string_view key);

}  // namespace vkv::storage
