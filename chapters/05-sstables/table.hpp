/// \file
/// Table: an open SSTable, for point lookups and in-order scans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "04-memtable/iterator.hpp"
#include "05-sstables/block.hpp"
#include "05-sstables/block_cache.hpp"
#include "05-sstables/bloom_filter.hpp"
#include "03-wal/entry_kind.hpp"
#include "common/env.hpp"
#include "common/status.hpp"
#include "05-sstables/table_format.hpp"

namespace vkv::storage {

/// An SSTable opened for reading.
///
/// open() reads the footer and the index block, checks them, and keeps the index in memory;
/// from then on a lookup reads at most one data block (one pread of about kBlockSize bytes),
/// and checks its checksum before believing a byte of it. Every corruption error names the
/// file and the block: "000005.sst: data block 3 at offset 12288: checksum mismatch (...)".
///
/// Given a BlockCache, get() looks there first and puts what it reads there, so a block read
/// often costs no read at all (scans and verify() bypass the cache: a full pass would only
/// push out the blocks that GETs want).
///
/// A Table never changes after open(), so all its const methods are safe to call from many
/// threads at once (the file's reads are).
class Table {
  struct OpenTag {
    explicit OpenTag() = default;
  };

 public:
  class Iterator;

  /// Not for callers: use open(). Public only so std::make_unique can call it; the private
  /// OpenTag keeps everyone else out.
  Table(OpenTag, std::unique_ptr<RandomAccessFile> file, std::string name,
        std::shared_ptr<BlockCache> cache, std::uint64_t cache_id)
      : file_(std::move(file)), name_(std::move(name)), cache_(std::move(cache)),
        cache_id_(cache_id) {}

  /// Opens the table in `file`; `name` (the file's name, say) goes in every error message.
  /// get() keeps the blocks it reads in `cache` (none when null), under `cache_id`, which
  /// no other table sharing the cache may use (the store gives the file number).
  /// Fails (corruption) when the file is too short, has the wrong magic number or version,
  /// or its footer or index fails a check.
  static Result<std::unique_ptr<Table>> open(std::unique_ptr<RandomAccessFile> file,
                                             std::string name,
                                             std::shared_ptr<BlockCache> cache = nullptr,
                                             std::uint64_t cache_id = 0);

  /// Looks `key` up. Ok with `*value` and `*kind` set when the table has an entry for it (a
  /// tombstone's value is empty); not found when it has none; corruption when the data block
  /// it needs is damaged. Reads at most one data block from the file, and none when the
  /// cache holds it.
  Status get(std::string_view key, std::string* value, EntryKind* kind) const;

  /// Reads every data block and checks its checksum, its entries (well formed, in order,
  /// inside the range the index gives the block) and the entry count in the footer; adds
  /// every key to `filter` on the way, when given. Costs a read of the whole file.
  [[nodiscard]] Status verify(BloomFilter* filter = nullptr) const;

  /// The name given to open().
  [[nodiscard]] const std::string& name() const { return name_; }
  /// The footer as read by open().
  [[nodiscard]] const Footer& footer() const { return footer_; }
  /// How many entries the table holds.
  [[nodiscard]] std::uint64_t entry_count() const { return footer_.entry_count; }
  /// The table's size in bytes.
  [[nodiscard]] std::uint64_t file_size() const { return file_->size(); }
  /// How many data blocks the table has.
  [[nodiscard]] std::size_t data_block_count() const { return index_.size(); }
  /// Where data block `i` is. REQUIRES: i < data_block_count().
  [[nodiscard]] const BlockHandle& data_block_handle(std::size_t i) const {
    return index_[i].handle;
  }
  /// The table's largest key (the last block's separator is its last key), or empty when the
  /// table has no entries.
  [[nodiscard]] std::string_view largest_key() const;

 private:
  // What the index says about one data block.
  struct IndexEntry {
    std::string separator;  // >= every key in the block, < every key in the next one
    BlockHandle handle;
  };

  Status read_footer();
  Status read_index();
  Status load_index_entries(const Block& index_block);
  std::size_t find_block(std::string_view key) const;
  Result<Block> read_data_block(std::size_t i) const;
  Result<std::shared_ptr<const Block>> cached_data_block(std::size_t i) const;
  Status verify_data_block(std::size_t i, std::string* previous_key, std::uint64_t* entries,
                           BloomFilter* filter) const;
  Status corrupt(std::string_view where, std::uint64_t offset, std::string_view what) const;
  Status data_block_error(std::size_t i, std::string_view what) const;

  std::unique_ptr<RandomAccessFile> file_;
  std::string name_;
  std::shared_ptr<BlockCache> cache_;  // may be null: no cache
  std::uint64_t cache_id_;
  Footer footer_;
  std::vector<IndexEntry> index_;
};

/// Splits a data block entry's stored value into kind and value. Fails (corruption, no file
/// name) when the kind byte is missing or unknown.
Status decode_entry_value(std::string_view stored, EntryKind* kind, std::string_view* value);

/// Walks every entry of a table in key order, reading one data block at a time: the table's
/// storage::Iterator.
///
/// Starts positioned nowhere (!valid()). A damaged block stops it: !valid(), and status()
/// says which block and why. key() and value() stay valid until the iterator moves.
/// REQUIRES: the table outlives the iterator.
class Table::Iterator final : public storage::Iterator {
 public:
  /// An iterator over `table`, positioned nowhere.
  explicit Iterator(const Table& table) : table_(&table) {}

  /// True when positioned at an entry.
  [[nodiscard]] bool valid() const override { return valid_; }
  /// Ok, or the error that stopped the iteration.
  [[nodiscard]] Status status() const override { return status_; }
  /// The current key. REQUIRES: valid().
  [[nodiscard]] std::string_view key() const override { return block_iter_->key(); }
  /// The current value (empty for a tombstone). REQUIRES: valid().
  [[nodiscard]] std::string_view value() const override { return value_; }
  /// The current entry's kind. REQUIRES: valid().
  [[nodiscard]] EntryKind kind() const override { return kind_; }

  /// Moves to the table's first entry.
  void seek_to_first() override;
  /// Moves to the first entry whose key is >= `target`.
  void seek(std::string_view target) override;
  /// Moves to the next entry. REQUIRES: valid().
  void next() override;

 private:
  bool load_block(std::size_t i);
  void settle();

  const Table* table_;
  std::size_t block_index_ = 0;
  std::unique_ptr<Block> block_;  // on the heap so block_iter_'s pointer into it stays good
  std::optional<Block::Iterator> block_iter_;
  std::string_view value_;
  EntryKind kind_ = EntryKind::kValue;
  bool valid_ = false;
  Status status_;
};

}  // namespace vkv::storage
