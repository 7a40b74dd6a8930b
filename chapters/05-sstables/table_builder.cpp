#include "05-sstables/table_builder.hpp"

#include <algorithm>
#include <cassert>

#include "common/escape.hpp"

namespace vkv::storage {

TableBuilder::TableBuilder(WritableFile& file) : file_(file) { assert(file.size() == 0); }

// LEARNER: begin TableBuilder::add(): an index entry when a block was cut, the kind byte, the entry; cut the block at 4 KiB
//! [table-add]
Status TableBuilder::add(std::string_view key, std::string_view value, EntryKind kind) {
  assert(!finished_);
  VKV_RETURN_IF_ERROR(status_);
  if (entry_count_ > 0 && key <= std::string_view(last_key_)) {
    return Status::invalid_argument("table keys out of order: \"" + escape_bytes(key) +
                                    "\" after \"" + escape_bytes(last_key_) + "\"");
  }
  if (index_entry_pending_) {
    // The previous block ended with last_key_; this key starts the next one.
    add_index_entry(shortest_separator(last_key_, key));
  }
  entry_value_.assign(1, static_cast<char>(kind));
  entry_value_.append(value);
  data_block_.add(key, entry_value_);
  last_key_.assign(key);
  ++entry_count_;

  if (data_block_.size_estimate() >= kBlockSize) return flush_data_block();
  return Status::ok();
}
//! [table-add]
// LEARNER: end

//! [shortest-separator]
std::string shortest_separator(std::string_view a, std::string_view b) {
  assert(a < b);
  const std::size_t limit = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < limit && a[i] == b[i]) ++i;
  if (i < a.size()) {  // a is not a prefix of b, so a[i] < b[i]
    const auto byte = static_cast<unsigned char>(a[i]);
    if (byte + 1 < static_cast<unsigned char>(b[i])) {
      // a's first i bytes and one byte between a[i] and b[i]: greater than a, less than b.
      std::string s(a.substr(0, i));
      s.push_back(static_cast<char>(byte + 1));
      return s;
    }
  }
  return std::string(a);
}
//! [shortest-separator]

Status TableBuilder::flush_data_block() {
  if (data_block_.empty()) return Status::ok();
  status_ = write_block(data_block_, &pending_handle_);
  index_entry_pending_ = status_.is_ok();
  return status_;
}

//! [write-block]
Status TableBuilder::write_block(BlockBuilder& block, BlockHandle* handle) {
  const std::string_view contents = block.finish();
  handle->offset = offset_;
  handle->size = contents.size();
  VKV_RETURN_IF_ERROR(file_.append(contents));
  VKV_RETURN_IF_ERROR(file_.append(block_trailer(contents)));
  offset_ += contents.size() + kBlockTrailerSize;
  block.reset();
  return Status::ok();
}
//! [write-block]

void TableBuilder::add_index_entry(std::string_view separator) {
  std::string handle;
  pending_handle_.encode_to(&handle);
  index_block_.add(separator, handle);
  index_entry_pending_ = false;
}

//! [table-finish]
Status TableBuilder::finish() {
  assert(!finished_);
  finished_ = true;
  VKV_RETURN_IF_ERROR(status_);
  VKV_RETURN_IF_ERROR(flush_data_block());
  // The last block's separator is its last key itself, so a lookup past the table's last key
  // is answered from the index alone.
  if (index_entry_pending_) add_index_entry(last_key_);

  Footer footer;
  footer.entry_count = entry_count_;
  status_ = write_block(index_block_, &footer.index);
  VKV_RETURN_IF_ERROR(status_);
  std::string encoded;
  footer.encode_to(&encoded);
  status_ = file_.append(encoded);
  VKV_RETURN_IF_ERROR(status_);
  offset_ += encoded.size();
  return Status::ok();
}
//! [table-finish]

}  // namespace vkv::storage
