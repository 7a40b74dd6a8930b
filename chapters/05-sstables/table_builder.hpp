/// \file
/// TableBuilder: writes sorted entries to a file as an SSTable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "05-sstables/block_builder.hpp"
#include "03-wal/entry_kind.hpp"
#include "common/env.hpp"
#include "common/status.hpp"
#include "05-sstables/table_format.hpp"

namespace vkv::storage {

/// Writes an SSTable, front to back, in one pass (layout in table_format.hpp).
///
/// Entries go into a data block until it reaches kBlockSize; then the block and its checksum
/// are appended to the file and the index remembers where it went. finish() appends the index
/// block and the footer. Memory use is one data block plus the index, whatever the table's
/// size.
///
/// The builder appends and nothing more: the caller syncs, closes and renames the file (a
/// table is only trusted once it is whole). After any error every later call returns the same
/// error. Not thread-safe.
class TableBuilder {
 public:
  /// A builder that appends to `file`. REQUIRES: `file` is empty and outlives the builder.
  explicit TableBuilder(WritableFile& file);

  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  /// Adds an entry: `key` maps to `value`, or (kTombstone) `key` was deleted, in which case
  /// `value` should be empty. Keys must come in strictly increasing bytewise order: a key
  /// that does not is refused (invalid argument) and the table is left as it was.
  /// REQUIRES: finish() was not called.
  Status add(std::string_view key, std::string_view value, EntryKind kind);

  /// Writes the last data block, the index block and the footer. REQUIRES: called once.
  Status finish();

  /// How many entries were added.
  [[nodiscard]] std::uint64_t entry_count() const { return entry_count_; }
  /// How many bytes were appended to the file so far (after finish(): the table's size).
  [[nodiscard]] std::uint64_t file_size() const { return offset_; }

 private:
  Status flush_data_block();
  Status write_block(BlockBuilder& block, BlockHandle* handle);
  void add_index_entry(std::string_view separator);

  WritableFile& file_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::uint64_t offset_ = 0;       // where the next block goes
  std::uint64_t entry_count_ = 0;
  std::string last_key_;           // the last key added, to check the order
  // A flushed block's index entry waits for the next key, so its separator can be short.
  bool index_entry_pending_ = false;
  BlockHandle pending_handle_;
  std::string entry_value_;        // scratch: kind byte + value
  Status status_;                  // the first error; sticky
  bool finished_ = false;
};

/// The shortest string s with a <= s < b, or `a` itself when none is shorter: what the index
/// stores for a data block whose last key is `a` when the next block starts with `b`.
/// REQUIRES: a < b.
std::string shortest_separator(std::string_view a, std::string_view b);

}  // namespace vkv::storage
