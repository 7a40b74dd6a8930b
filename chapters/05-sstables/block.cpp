#include "05-sstables/block.hpp"

#include <limits>

#include "common/coding.hpp"

namespace vkv::storage {

namespace {

constexpr std::size_t kU32 = sizeof(std::uint32_t);

}  // namespace

//! [block-parse]
Result<Block> Block::parse(std::string contents) {
  if (contents.size() < kU32) return Status::corruption("block too short for its restart count");
  if (contents.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::corruption("block larger than 4 GiB");
  }
  const auto size = static_cast<std::uint32_t>(contents.size());
  const std::uint32_t count = decode_fixed32(contents.data() + size - kU32);
  if (count > (size - kU32) / kU32) return Status::corruption("restart count larger than block");
  const std::uint32_t entries_end = size - kU32 - count * static_cast<std::uint32_t>(kU32);

  // An empty block has no restarts; any other starts with one at 0, and they rise strictly
  // and stay inside the entries. Then every seek lands on an entry boundary in range.
  if ((entries_end == 0) != (count == 0)) return Status::corruption("bad restart array");
  std::uint32_t previous = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t offset = decode_fixed32(contents.data() + entries_end + i * kU32);
    const bool in_order = (i == 0) ? offset == 0 : offset > previous;
    if (!in_order || offset >= entries_end) return Status::corruption("bad restart array");
    previous = offset;
  }
  return Block(std::move(contents), entries_end, count);
}
//! [block-parse]

std::uint32_t Block::restart_offset(std::uint32_t i) const {
  return decode_fixed32(data_.data() + entries_end_ + i * kU32);
}

void Block::Iterator::seek_to_first() {
  if (!status_.is_ok()) return;
  if (block_->restart_count_ == 0) {
    valid_ = false;
    return;
  }
  seek_to_restart(0);
}

// LEARNER: begin Block::Iterator::seek(): binary-search the restart points, then scan at most one interval
//! [restart-seek]
void Block::Iterator::seek(std::string_view target) {
  if (!status_.is_ok()) return;
  if (block_->restart_count_ == 0) {
    valid_ = false;
    return;
  }
  // Binary search for the last restart point whose key is < target: every entry before it
  // is smaller still, so the answer is at or after it. Each probe decodes one whole key.
  std::uint32_t lo = 0;
  std::uint32_t hi = block_->restart_count_ - 1;
  while (lo < hi) {
    const std::uint32_t mid = lo + (hi - lo + 1) / 2;
    seek_to_restart(mid);
    if (!valid_) return;  // corrupt
    if (key_ < target) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  // Then a linear scan of at most one restart interval (plus one entry).
  seek_to_restart(lo);
  while (valid_ && std::string_view(key_) < target) next();
}
//! [restart-seek]
// LEARNER: end

void Block::Iterator::next() {
  if (!status_.is_ok()) return;
  if (next_ >= block_->entries_end_) {
    valid_ = false;
    return;
  }
  decode_entry_at(next_);
}

void Block::Iterator::seek_to_restart(std::uint32_t i) {
  key_.clear();  // a restart entry shares nothing, so decoding checks shared == 0
  decode_entry_at(block_->restart_offset(i));
}

//! [entry-decode]
void Block::Iterator::decode_entry_at(std::uint32_t offset) {
  const std::string& data = block_->data_;
  std::string_view in(data.data() + offset, block_->entries_end_ - offset);
  std::uint32_t shared = 0;
  std::uint32_t unshared = 0;
  std::uint32_t value_size = 0;
  if (!get_varint32(&in, &shared) || !get_varint32(&in, &unshared) ||
      !get_varint32(&in, &value_size)) {
    return fail(offset, "bad entry header");
  }
  if (shared > key_.size()) return fail(offset, "entry shares more than the previous key has");
  if (std::uint64_t{unshared} + value_size > in.size()) {
    return fail(offset, "entry runs past the end of the block");
  }
  key_.resize(shared);
  key_.append(in.data(), unshared);
  value_ = in.substr(unshared, value_size);
  next_ = static_cast<std::uint32_t>(value_.data() + value_.size() - data.data());
  valid_ = true;
}
//! [entry-decode]

void Block::Iterator::fail(std::uint32_t offset, const char* what) {
  valid_ = false;
  status_ = Status::corruption(std::string(what) + " (at byte " + std::to_string(offset) +
                               " of the block)");
}

}  // namespace vkv::storage
