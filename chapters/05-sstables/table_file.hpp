/// \file
/// TableFile: one live SSTable of the store, and the two ways to get one: flushing a memtable
/// to a new file (crash-safely), and opening a file at start-up (verified).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "05-sstables/block_cache.hpp"
#include "05-sstables/bloom_filter.hpp"
#include "03-wal/data_dir.hpp"
#include "04-memtable/memtable.hpp"
#include "common/status.hpp"
#include "05-sstables/table.hpp"

namespace vkv::storage {

/// The suffix of a table's file name: "000007.sst".
inline constexpr std::string_view kTableSuffix = ".sst";

//! [table-file]
/// A table that is part of the store: its number, the open Table, its smallest key (its
/// largest is Table::largest_key()) and a Bloom filter of its keys, so a lookup can skip a
/// table that cannot hold the key without reading any of it.
struct TableFile {
  std::uint64_t number = 0;            ///< The file's number: "000007.sst" is 7.
  std::shared_ptr<const Table> table;  ///< The open table; thread-safe to read.
  std::string smallest_key;            ///< Its first key (empty when it has no entries).
  /// Every key of the table, in memory only (built when the table is written or opened);
  /// null when the store keeps no filters.
  std::shared_ptr<const BloomFilter> filter;

  /// False when `key` is outside [smallest_key, largest key]: the table cannot hold it.
  [[nodiscard]] bool in_range(std::string_view key) const {
    return table->entry_count() > 0 && key >= smallest_key && key <= table->largest_key();
  }
  /// False when the filter says the key whose BloomFilter::hash() is `hash` was never added:
  /// the table cannot hold it. True when there is no filter.
  [[nodiscard]] bool filter_may_contain(std::uint64_t hash) const {
    return filter == nullptr || filter->may_contain_hash(hash);
  }
};
//! [table-file]

/// How the store opens its tables.
struct TableFileOptions {
  /// The cache the store's tables share for the blocks GETs read; null: none.
  std::shared_ptr<BlockCache> block_cache;
  /// Bits per key of each table's Bloom filter; 0: no filters.
  /// REQUIRES: <= kMaxBloomBitsPerKey.
  std::size_t filter_bits_per_key = kBloomBitsPerKey;
};

/// The file name of table `number`: "000007.sst" for 7.
std::string table_file_name(std::uint64_t number);
/// The number in a table's file name ("000007.sst" gives 7), or nothing if it is not one.
std::optional<std::uint64_t> parse_table_file_name(std::string_view name);

/// Writes every entry of `memtable` (tombstones too: they hide older tables' values) as
/// table `number` in `dir`, in the order that survives a crash at any point:
///   1. write it as `NNNNNN.sst.tmp`;   2. fdatasync it;   3. rename it to `NNNNNN.sst`;
///   4. sync the directory.
/// Then opens it, with a filter of the keys it wrote. The caller records it as live (in the
/// MANIFEST) only after this returns. On failure the temporary file is removed if possible
/// (start-up removes it otherwise).
/// REQUIRES: nobody writes to `memtable` any more, and it is not empty.
Result<TableFile> write_table_file(const DataDir& dir, std::uint64_t number,
                                   const Memtable& memtable, const TableFileOptions& options = {});

/// No limit on a table's size, for write_table_file().
inline constexpr std::uint64_t kNoTableLimit = ~std::uint64_t{0};

/// The same crash-safe sequence for the entries of any sorted source, from where `entries`
/// stands: writes entries until the source ends or the table reaches `max_bytes` (the entry
/// that crosses it is the table's last), and leaves `entries` at the first entry not written.
/// A caller that cuts a long sorted run into tables calls it again while `entries` is valid.
/// REQUIRES: entries.valid(); the source's keys are strictly increasing.
Result<TableFile> write_table_file(const DataDir& dir, std::uint64_t number, Iterator& entries,
                                   std::uint64_t max_bytes, const TableFileOptions& options = {});

/// Opens table `number` in `dir` and verifies every block of it (Table::verify), so that a
/// damaged table stops start-up with the file and the block named, rather than failing
/// some later GET; the filter is built from the keys that pass, in the same read.
Result<TableFile> open_table_file(const DataDir& dir, std::uint64_t number,
                                  const TableFileOptions& options = {});

}  // namespace vkv::storage
