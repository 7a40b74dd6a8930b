/// \file
/// Block: reads a block that BlockBuilder wrote, and finds keys in it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace vkv::storage {

/// One block's bytes (data or index) and the means to read its entries.
///
/// A Block is made only by parse(), which checks the restart array; its Iterator checks each
/// entry as it decodes it. Neither reads a byte outside the block, whatever the bytes say:
/// a malformed block gives a corruption status, never a crash. (Blocks from a table have
/// passed their checksum already, so this guards against bugs and the one-in-four-billion
/// corruption that a CRC misses.) Errors do not name a file: the table adds that.
class Block {
 public:
  class Iterator;

  /// Takes `contents` (one block, trailer removed) and checks its restart array.
  static Result<Block> parse(std::string contents);

  /// The block's size in bytes.
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  /// How many restart points (keys stored whole) the block has.
  [[nodiscard]] std::uint32_t restart_count() const { return restart_count_; }

 private:
  Block(std::string data, std::uint32_t entries_end, std::uint32_t restart_count)
      : data_(std::move(data)), entries_end_(entries_end), restart_count_(restart_count) {}

  /// The offset of restart point `i`'s entry. REQUIRES: i < restart_count_.
  [[nodiscard]] std::uint32_t restart_offset(std::uint32_t i) const;

  std::string data_;
  std::uint32_t entries_end_;    // where the entries end and the restart array begins
  std::uint32_t restart_count_;
};

/// Walks a block's entries in key order, or finds the first entry at or after a key.
///
/// It has the shape of storage::Iterator but yields a block's raw values: in a data block the
/// kind byte and the value together, in an index block a block handle. So it is not one;
/// Table::Iterator decodes the entries and is.
///
/// Starts positioned nowhere (!valid()). After a corrupt entry it is !valid() for good and
/// status() says what was wrong. REQUIRES: the Block outlives the iterator and is not moved
/// while the iterator is in use (key() and value() point into it).
class Block::Iterator {
 public:
  /// An iterator over `block`, positioned nowhere.
  explicit Iterator(const Block& block) : block_(&block) {}

  /// True when positioned at an entry.
  [[nodiscard]] bool valid() const { return valid_; }
  /// Ok, or the corruption that stopped the iteration.
  [[nodiscard]] const Status& status() const { return status_; }
  /// The current entry's key. REQUIRES: valid().
  [[nodiscard]] std::string_view key() const { return key_; }
  /// The current entry's value. REQUIRES: valid().
  [[nodiscard]] std::string_view value() const { return value_; }

  /// Moves to the first entry (!valid() if the block is empty).
  void seek_to_first();
  /// Moves to the first entry whose key is >= `target` (!valid() if there is none).
  void seek(std::string_view target);
  /// Moves to the next entry (!valid() after the last). REQUIRES: valid().
  void next();

 private:
  void seek_to_restart(std::uint32_t i);
  void decode_entry_at(std::uint32_t offset);
  void fail(std::uint32_t offset, const char* what);

  const Block* block_;
  std::string key_;          // the current key, rebuilt from the previous key's prefix
  std::string_view value_;   // the current value, inside the block
  std::uint32_t next_ = 0;   // offset of the entry after the current one
  bool valid_ = false;
  Status status_;
};

}  // namespace vkv::storage
