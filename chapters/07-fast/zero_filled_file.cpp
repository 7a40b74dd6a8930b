#include "07-fast/zero_filled_file.hpp"

#include <algorithm>

namespace vkv::storage {

//! [zero-filled-append]
Status ZeroFilledFile::append(std::string_view data) {
  if (!fd_) return closed_error("append");
  // Ignored on failure: it costs speed, not data (see the class comment); a full disk fails
  // the write below.
  (void)make_room_for(size_ + data.size());
  return write_at_end(data);
}
//! [zero-filled-append]

Status ZeroFilledFile::make_room_for(std::uint64_t end) {
  if (end <= allocated_) return Status::ok();
  Status s = fill_zeros(allocated_, next_allocation(allocated_, end));
  // Room for `end` is all that was asked: a step cut short by a full disk may still give it.
  return end <= allocated_ ? Status::ok() : s;
}

std::uint64_t ZeroFilledFile::next_allocation(std::uint64_t allocated, std::uint64_t end) {
  if (end <= allocated) return allocated;
  const std::uint64_t step = std::clamp(allocated, kMinStep, kMaxStep);
  return (end + step - 1) / step * step;
}

}  // namespace vkv::storage
