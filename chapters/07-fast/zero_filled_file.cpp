#include "07-fast/zero_filled_file.hpp"

#include <algorithm>

namespace vkv::storage {

//! [zero-filled-append]
Status ZeroFilledFile::append(std::string_view data) {
  if (!fd_) return closed_error("append");
  const std::uint64_t end = size_ + data.size();
  if (end > allocated_) {
    // Ignored on failure: it costs speed, not data (see the class comment).
    (void)fill_zeros(allocated_, next_allocation(allocated_, end));
  }
  return write_at_end(data);
}
//! [zero-filled-append]

std::uint64_t ZeroFilledFile::next_allocation(std::uint64_t allocated, std::uint64_t end) {
  if (end <= allocated) return allocated;
  const std::uint64_t step = std::clamp(allocated, kMinStep, kMaxStep);
  return (end + step - 1) / step * step;
}

}  // namespace vkv::storage
