#include "05-sstables/table.hpp"

#include <algorithm>

#include "common/escape.hpp"

namespace vkv::storage {

namespace {

std::string checksum_mismatch(const RawBlock& raw) {
  return "checksum mismatch (stored " + format_crc(raw.stored_crc) + ", computed " +
         format_crc(raw.computed_crc) + ")";
}

}  // namespace

//! [table-open]
Result<std::unique_ptr<Table>> Table::open(std::unique_ptr<RandomAccessFile> file,
                                           std::string name, std::shared_ptr<BlockCache> cache,
                                           std::uint64_t cache_id) {
  auto table = std::make_unique<Table>(OpenTag{}, std::move(file), std::move(name),
                                       std::move(cache), cache_id);
  VKV_RETURN_IF_ERROR(table->read_footer());
  VKV_RETURN_IF_ERROR(table->read_index());
  return table;
}
//! [table-open]

//! [footer-check]
Status Table::read_footer() {
  const std::uint64_t size = file_->size();
  if (size < kFooterSize) {
    return Status::corruption(name_ + ": file is " + std::to_string(size) +
                              " bytes, too short to be an SSTable (the footer alone is " +
                              std::to_string(kFooterSize) + ")");
  }
  const std::uint64_t footer_offset = size - kFooterSize;
  std::string bytes;
  VKV_RETURN_IF_ERROR(file_->read(footer_offset, kFooterSize, &bytes));
  Status s = footer_.decode_from(bytes);
  if (!s.is_ok()) return corrupt("footer", footer_offset, s.message());

  // The index block and its trailer must end exactly where the footer begins.
  const BlockHandle& index = footer_.index;
  if (index.offset > footer_offset || index.size > footer_offset - index.offset ||
      footer_offset - index.offset - index.size != kBlockTrailerSize) {
    return corrupt("footer", footer_offset,
                   "index block (offset " + std::to_string(index.offset) + ", size " +
                       std::to_string(index.size) + ") does not end where the footer begins");
  }
  return Status::ok();
}
//! [footer-check]

//! [index-load]
Status Table::read_index() {
  const std::uint64_t offset = footer_.index.offset;
  RawBlock raw;
  Status s = read_raw_block(*file_, footer_.index, &raw);
  if (!s.is_ok()) return s.is_corruption() ? corrupt("index block", offset, s.message()) : s;
  if (!raw.checksum_ok()) return corrupt("index block", offset, checksum_mismatch(raw));
  Result<Block> block = Block::parse(std::move(raw.contents));
  if (!block.is_ok()) return corrupt("index block", offset, block.status().message());
  return load_index_entries(*block);
}

Status Table::load_index_entries(const Block& index_block) {
  const std::uint64_t index_offset = footer_.index.offset;
  auto bad = [&](std::string what) {
    return corrupt("index block", index_offset,
                   "entry " + std::to_string(index_.size()) + ": " + what);
  };
  // The data blocks lie back to back from offset 0 to the index; any handle that says
  // otherwise is corrupt, so a lookup can trust every handle it reads from index_.
  std::uint64_t expected_offset = 0;
  Block::Iterator it(index_block);
  for (it.seek_to_first(); it.valid(); it.next()) {
    IndexEntry entry{std::string(it.key()), {}};
    if (!entry.handle.decode_from(it.value())) return bad("malformed block handle");
    if (entry.handle.offset != expected_offset) return bad("data block not where expected");
    if (entry.handle.size > index_offset - expected_offset ||
        index_offset - expected_offset - entry.handle.size < kBlockTrailerSize) {
      return bad("data block runs into the index");
    }
    if (!index_.empty() && entry.separator <= index_.back().separator) {
      return bad("separator keys out of order");
    }
    expected_offset = entry.handle.end_with_trailer();
    index_.push_back(std::move(entry));
  }
  if (!it.status().is_ok()) return corrupt("index block", index_offset, it.status().message());
  if (expected_offset != index_offset) return bad("data blocks end before the index begins");
  // Every entry takes at least 4 bytes (three one-byte varints and the kind byte): a larger
  // count is damage, and must not size anything (the store sizes a Bloom filter by it).
  if (footer_.entry_count > index_offset / 4) {
    return corrupt("footer", file_->size() - kFooterSize,
                   "entry count " + std::to_string(footer_.entry_count) +
                       " is more than the data blocks can hold");
  }
  if (index_.empty() != (footer_.entry_count == 0)) {
    return corrupt("footer", file_->size() - kFooterSize,
                   "entry count " + std::to_string(footer_.entry_count) + " but " +
                       std::to_string(index_.size()) + " data blocks");
  }
  return Status::ok();
}
//! [index-load]

// LEARNER: begin Table::get() and find_block(): the one block whose separator is >= key, then a seek inside it
//! [table-get]
Status Table::get(std::string_view key, std::string* value, EntryKind* kind) const {
  const std::size_t i = find_block(key);
  if (i == index_.size()) return Status::not_found({});  // after the table's last key
  auto block = cached_data_block(i);  // from the cache, or the one read from disk
  if (!block.is_ok()) return block.status();
  Block::Iterator it(**block);
  it.seek(key);
  if (!it.status().is_ok()) return data_block_error(i, it.status().message());
  if (!it.valid() || it.key() != key) return Status::not_found({});
  std::string_view stored_value;
  Status s = decode_entry_value(it.value(), kind, &stored_value);
  if (!s.is_ok()) return data_block_error(i, s.message());
  value->assign(stored_value);
  return Status::ok();
}

std::size_t Table::find_block(std::string_view key) const {
  // The first block whose separator is >= key: the only block that can hold key.
  auto it = std::lower_bound(
      index_.begin(), index_.end(), key,
      [](const IndexEntry& e, std::string_view k) { return std::string_view(e.separator) < k; });
  return static_cast<std::size_t>(it - index_.begin());
}
//! [table-get]
// LEARNER: end

//! [verify-block]
Result<Block> Table::read_data_block(std::size_t i) const {
  RawBlock raw;
  Status s = read_raw_block(*file_, index_[i].handle, &raw);
  if (!s.is_ok()) return s.is_corruption() ? data_block_error(i, s.message()) : s;
  if (!raw.checksum_ok()) return data_block_error(i, checksum_mismatch(raw));
  Result<Block> block = Block::parse(std::move(raw.contents));
  if (!block.is_ok()) return data_block_error(i, block.status().message());
  return block;
}
//! [verify-block]

//! [cached-block]
Result<std::shared_ptr<const Block>> Table::cached_data_block(std::size_t i) const {
  if (cache_ == nullptr) {
    Result<Block> block = read_data_block(i);
    if (!block.is_ok()) return block.status();
    return std::make_shared<const Block>(std::move(block).value());
  }
  const BlockCache::Key key{cache_id_, index_[i].handle.offset};
  if (std::shared_ptr<const Block> hit = cache_->lookup(key)) return hit;  // no read, no CRC
  Result<Block> block = read_data_block(i);  // read and checked once, on its way in
  if (!block.is_ok()) return block.status();
  auto shared = std::make_shared<const Block>(std::move(block).value());
  cache_->insert(key, shared);
  return shared;
}
//! [cached-block]

//! [table-verify]
Status Table::verify(BloomFilter* filter) const {
  std::string previous_key;
  std::uint64_t entries = 0;
  for (std::size_t i = 0; i < index_.size(); ++i) {
    VKV_RETURN_IF_ERROR(verify_data_block(i, &previous_key, &entries, filter));
  }
  if (entries != footer_.entry_count) {
    return corrupt("footer", file_->size() - kFooterSize,
                   "says " + std::to_string(footer_.entry_count) + " entries, the blocks hold " +
                       std::to_string(entries));
  }
  return Status::ok();
}

Status Table::verify_data_block(std::size_t i, std::string* previous_key,
                                std::uint64_t* entries, BloomFilter* filter) const {
  Result<Block> block = read_data_block(i);
  if (!block.is_ok()) return block.status();
  std::size_t n = 0;
  Block::Iterator it(*block);
  for (it.seek_to_first(); it.valid(); it.next(), ++n) {
    const std::string_view key = it.key();
    const std::string where = "entry " + std::to_string(n) + " (key \"" + escape_bytes(key) + "\")";
    if (*entries > 0 && key <= std::string_view(*previous_key)) {
      return data_block_error(i, where + ": keys out of order");
    }
    if (key > std::string_view(index_[i].separator) ||
        (i > 0 && key <= std::string_view(index_[i - 1].separator))) {
      return data_block_error(i, where + ": outside the key range the index gives the block");
    }
    EntryKind kind;
    std::string_view value;
    Status s = decode_entry_value(it.value(), &kind, &value);
    if (!s.is_ok()) return data_block_error(i, where + ": " + s.message());
    if (filter != nullptr) filter->add(key);
    previous_key->assign(key);
    ++*entries;
  }
  if (!it.status().is_ok()) return data_block_error(i, it.status().message());
  if (n == 0) return data_block_error(i, "empty data block");
  return Status::ok();
}
//! [table-verify]

std::string_view Table::largest_key() const {
  return index_.empty() ? std::string_view() : std::string_view(index_.back().separator);
}

Status Table::corrupt(std::string_view where, std::uint64_t offset, std::string_view what) const {
  return Status::corruption(name_ + ": " + std::string(where) + " at offset " +
                            std::to_string(offset) + ": " + std::string(what));
}

Status Table::data_block_error(std::size_t i, std::string_view what) const {
  return corrupt("data block " + std::to_string(i), index_[i].handle.offset, what);
}

Status decode_entry_value(std::string_view stored, EntryKind* kind, std::string_view* value) {
  if (stored.empty()) return Status::corruption("entry has no kind byte");
  const auto byte = static_cast<unsigned char>(stored[0]);
  if (byte != static_cast<unsigned char>(EntryKind::kValue) &&
      byte != static_cast<unsigned char>(EntryKind::kTombstone)) {
    return Status::corruption("entry has unknown kind byte " + std::to_string(byte));
  }
  *kind = static_cast<EntryKind>(byte);
  *value = stored.substr(1);
  return Status::ok();
}

//! [table-iterator]
void Table::Iterator::seek_to_first() {
  if (!status_.is_ok() || !load_block(0)) return;
  block_iter_->seek_to_first();
  settle();
}

void Table::Iterator::seek(std::string_view target) {
  if (!status_.is_ok() || !load_block(table_->find_block(target))) return;
  block_iter_->seek(target);
  settle();
}

void Table::Iterator::next() {
  block_iter_->next();
  settle();
}

// After the block iterator moved: take its entry, or go on to the next block when it ran off
// the end of this one.
void Table::Iterator::settle() {
  while (!block_iter_->valid()) {
    if (!block_iter_->status().is_ok()) {
      status_ = table_->data_block_error(block_index_, block_iter_->status().message());
      valid_ = false;
      return;
    }
    if (!load_block(block_index_ + 1)) return;
    block_iter_->seek_to_first();
  }
  Status s = decode_entry_value(block_iter_->value(), &kind_, &value_);
  if (!s.is_ok()) status_ = table_->data_block_error(block_index_, s.message());
  valid_ = s.is_ok();
}

bool Table::Iterator::load_block(std::size_t i) {
  valid_ = false;
  block_iter_.reset();
  block_.reset();
  if (i >= table_->index_.size()) return false;
  Result<Block> block = table_->read_data_block(i);
  if (!block.is_ok()) {
    status_ = block.status();
    return false;
  }
  block_ = std::make_unique<Block>(std::move(block).value());
  block_iter_.emplace(*block_);
  block_index_ = i;
  return true;
}
//! [table-iterator]

}  // namespace vkv::storage
