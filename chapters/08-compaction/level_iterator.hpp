/// \file
/// LevelIterator: one sorted iterator over a level's tables, reading one table at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "04-memtable/iterator.hpp"
#include "05-sstables/table.hpp"
#include "08-compaction/version.hpp"

namespace vkv::storage {

/// The entries of a level below 0 in key order: its tables one after another. Those tables
/// are sorted and do not overlap, so there is nothing to merge, and only the table the
/// iterator stands in is open for reading (one block of it in memory); seek() finds that
/// table by binary search on the key ranges, as Version::get() does.
///
/// status() is the current table's error; a damaged table stops the iterator there.
/// REQUIRES: `tables` is sorted by key, its ranges do not overlap, and it (with its tables)
/// outlives the iterator; a Version's level does.
class LevelIterator final : public Iterator {
 public:
  /// Over `tables`, positioned nowhere.
  explicit LevelIterator(const Version::Tables& tables) : tables_(tables) {}

  [[nodiscard]] bool valid() const override { return table_ && table_->valid(); }
  /// Moves to the first entry of the first table.
  void seek_to_first() override;
  /// Moves to the first entry >= `target`, in the only table that may hold it or the next.
  void seek(std::string_view target) override;
  /// Moves on, to the next table's first entry at the end of one.
  void next() override;
  [[nodiscard]] std::string_view key() const override { return table_->key(); }
  [[nodiscard]] std::string_view value() const override { return table_->value(); }
  [[nodiscard]] EntryKind kind() const override { return table_->kind(); }
  [[nodiscard]] Status status() const override {
    return table_ ? table_->status() : Status::ok();
  }

 private:
  // Stands in table `i` (positioned nowhere), or nowhere when i is past the last.
  void open(std::size_t i);
  // While the current table is done (and did not fail), moves to the next one's start.
  void skip_finished_tables();

  const Version::Tables& tables_;
  std::size_t index_ = 0;                 // the table table_ walks
  std::optional<Table::Iterator> table_;  // empty: positioned nowhere, or past the last
};

}  // namespace vkv::storage
