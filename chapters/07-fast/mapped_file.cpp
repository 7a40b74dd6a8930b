#include "07-fast/mapped_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "common/posix_io.hpp"

namespace vkv::storage {

MappedFile::~MappedFile() { unmap(); }

// LEARNER: begin MappedFile::append(): copy into the mapped window, moving to the next window at its end; ask for the one after half way
//! [mapped-append]
Status MappedFile::append(std::string_view data) {
  if (!fd_) return closed_error("append");
  VKV_RETURN_IF_ERROR(reserve_windows_for(size_ + data.size()));
  while (!data.empty()) {
    if (window_ == nullptr ? can_map_ : size_ == window_end_) {
      VKV_RETURN_IF_ERROR(next_window());
    }
    if (window_ == nullptr) return write_at_end(data);  // no fallocate here
    const auto n =
        static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), window_end_ - size_));
    std::memcpy(window_ + (size_ - window_start_), data.data(), n);
    data.remove_prefix(n);
    size_ += n;
  }
  if (size_ >= make_next_at_) make_next_window();
  return Status::ok();
}
//! [mapped-append]
// LEARNER: end

void MappedFile::before_close() { unmap(); }

Status MappedFile::reserve_windows_for(std::uint64_t end) {
  // Every window past this one that the append reaches is reserved before a byte is copied,
  // so that a full disk fails the append whole, with nothing of it in the file.
  if (window_ == nullptr || end <= window_end_) return Status::ok();
  const std::uint64_t windows = (end - window_end_ + kWindowBytes - 1) / kWindowBytes;
  const std::uint64_t to = window_end_ + windows * kWindowBytes;
  if (allocated_ >= to) return Status::ok();
  return reserve(std::max(size_, allocated_), to);
}

Status MappedFile::next_window() {
  char* old = window_;
  window_ = nullptr;
  if (!can_map_) return Status::ok();
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t start = size_ / page * page;
  const std::uint64_t end = start + kWindowBytes;
  std::optional<WindowMaker::Window> made;
  if (maker_) {
    if (old != nullptr) maker_->unmap_later(old);
    made = maker_->take(start);
  } else if (old != nullptr) {
    ::munmap(old, kWindowBytes);
  }
  if (!made) {
    if (allocated_ < end) {
      VKV_RETURN_IF_ERROR(reserve(std::max(size_, allocated_), end));
      if (allocated_ < end) {  // fallocate is not supported here
        can_map_ = false;
        return Status::ok();
      }
    }
    if (!maker_) maker_ = std::make_unique<WindowMaker>(fd_.get(), kWindowBytes);
    maker_->make(start);
    made = maker_->take(start);
  }
  if (made->map == nullptr) return posix_error("mmap", path_, made->error);
  window_ = made->map;
  window_start_ = start;
  window_end_ = end;
  make_next_at_ = start + kWindowBytes / 2;
  return Status::ok();
}

void MappedFile::make_next_window() {
  // If the space cannot be reserved now, the next window is made when it is needed, and the
  // append that needs it reports the error.
  make_next_at_ = kNever;
  const std::uint64_t start = window_end_;
  const std::uint64_t end = start + kWindowBytes;
  if (allocated_ < end &&
      (!reserve(std::max(size_, allocated_), end).is_ok() || allocated_ < end)) {
    return;
  }
  maker_->make(start);
}

void MappedFile::unmap() {
  maker_.reset();  // waits for its thread, and unmaps what it made and the writer did not take
  if (window_ == nullptr) return;
  ::munmap(window_, kWindowBytes);
  window_ = nullptr;
  window_end_ = window_start_ = 0;
  make_next_at_ = kNever;
}

}  // namespace vkv::storage
