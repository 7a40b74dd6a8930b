#include "05-sstables/block_builder.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include "common/coding.hpp"

namespace vkv::storage {

BlockBuilder::BlockBuilder(int restart_interval) : restart_interval_(restart_interval) {
  assert(restart_interval_ >= 1);
}

// LEARNER: begin BlockBuilder::add() and finish(): keys after a shared prefix, a restart point every 16th; then the restart array
//! [block-add]
void BlockBuilder::add(std::string_view key, std::string_view value) {
  assert(!finished_);
  assert(empty() || key > std::string_view(last_key_));
  assert(buffer_.size() + key.size() + value.size() < std::numeric_limits<std::uint32_t>::max());

  std::size_t shared = 0;
  if (since_restart_ < restart_interval_ && !empty()) {
    // Share as much of the previous key as matches.
    const std::size_t limit = std::min(key.size(), last_key_.size());
    while (shared < limit && key[shared] == last_key_[shared]) ++shared;
  } else {
    // A restart point: store the key whole and remember where, for the binary search.
    restarts_.push_back(static_cast<std::uint32_t>(buffer_.size()));
    since_restart_ = 0;
  }
  const std::string_view unshared = key.substr(shared);
  put_varint32(&buffer_, static_cast<std::uint32_t>(shared));
  put_varint32(&buffer_, static_cast<std::uint32_t>(unshared.size()));
  put_varint32(&buffer_, static_cast<std::uint32_t>(value.size()));
  buffer_.append(unshared);
  buffer_.append(value);

  last_key_.resize(shared);
  last_key_.append(unshared);
  ++since_restart_;
  ++entry_count_;
}
//! [block-add]

//! [block-finish]
std::string_view BlockBuilder::finish() {
  assert(!finished_);
  for (std::uint32_t restart : restarts_) put_fixed32(&buffer_, restart);
  put_fixed32(&buffer_, static_cast<std::uint32_t>(restarts_.size()));
  finished_ = true;
  return buffer_;
}
//! [block-finish]
// LEARNER: end

void BlockBuilder::reset() {
  buffer_.clear();
  restarts_.clear();
  since_restart_ = 0;
  entry_count_ = 0;
  last_key_.clear();
  finished_ = false;
}

std::size_t BlockBuilder::size_estimate() const {
  if (finished_) return buffer_.size();
  return buffer_.size() + (restarts_.size() + 1) * sizeof(std::uint32_t);
}

}  // namespace vkv::storage
