#include "07-fast/preallocated_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/posix_io.hpp"

namespace vkv::storage {

Status PreallocatedFile::sync() {
  if (!fd_) return closed_error("sync");
  // fdatasync also writes back pages dirtied through a shared memory map (MappedFile): on
  // Linux they are the same page cache pages.
  if (::fdatasync(fd_.get()) != 0) return posix_error("fdatasync", path_, errno);
  return Status::ok();
}

Status PreallocatedFile::close() {
  if (!fd_) return closed_error("close");
  before_close();
  Status given_back = give_back_space();
  if (fd_.close() != 0) return posix_error("close", path_, errno);
  return given_back;
}

Status PreallocatedFile::closed_error(std::string_view op) const {
  return Status::io_error(std::string(op) + " " + path_ + ": file is closed");
}

// LEARNER: begin PreallocatedFile::reserve() and fill_zeros(): fallocate the space, or write zeros and sync them
//! [reserve-and-fill]
Status PreallocatedFile::reserve(std::uint64_t from, std::uint64_t to) {
#ifdef __linux__
  // Mode 0, not FALLOC_FL_KEEP_SIZE: the point is that the size changes now, once, and not
  // on each append (keeping the size allocates the blocks but saves no sync work).
  int rc;
  do {
    rc = ::fallocate(fd_.get(), 0, static_cast<off_t>(from), static_cast<off_t>(to - from));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    // A file system without fallocate (some network ones) still takes appends.
    if (errno == EOPNOTSUPP || errno == ENOSYS) return Status::ok();
    return posix_error("fallocate", path_, errno);
  }
  allocated_ = std::max(allocated_, to);
#else
  (void)from;
  (void)to;
#endif
  return Status::ok();
}

Status PreallocatedFile::fill_zeros(std::uint64_t from, std::uint64_t to) {
  static const std::string kZeros(std::size_t{1} << 20, '\0');
  for (std::uint64_t at = from; at < to;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kZeros.size(), to - at));
    std::uint64_t written = 0;
    Status s = write_all_at(fd_.get(), std::string_view(kZeros.data(), n), at, path_, &written);
    at += written;
    allocated_ = std::max(allocated_, at);  // so that close() gives back what a failure left
    VKV_RETURN_IF_ERROR(s);
  }
  if (::fdatasync(fd_.get()) != 0) return posix_error("fdatasync", path_, errno);
  return Status::ok();
}
//! [reserve-and-fill]
// LEARNER: end

Status PreallocatedFile::write_at_end(std::string_view data) {
  std::uint64_t written = 0;
  Status s = write_all_at(fd_.get(), data, size_, path_, &written);
  // A write that stopped part way leaves bytes past size_, where the next append writes
  // over them (and replay cuts whatever is left as a torn tail): the file is whole at size_.
  if (s.is_ok()) size_ += written;
  return s;
}

Status PreallocatedFile::give_back_space() {
  // No fsync: if a crash undoes the cut, the zeros are back, and replay cuts them anyway.
  if (allocated_ <= size_) return Status::ok();
  int rc;
  do {
    rc = ::ftruncate(fd_.get(), static_cast<off_t>(size_));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return posix_error("truncate", path_, errno);
  allocated_ = size_;
  return Status::ok();
}

}  // namespace vkv::storage
