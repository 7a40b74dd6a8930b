#include "common/posix_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vkv {

Status posix_error(std::string_view op, const std::string& path, int err) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  return err == ENOENT ? Status::not_found(std::move(msg)) : Status::io_error(std::move(msg));
}

Result<UniqueFd> open_fd(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return posix_error("open", path, errno);
  return UniqueFd(fd);
}

Result<std::uint64_t> fd_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return posix_error("stat", path, errno);
  return static_cast<std::uint64_t>(st.st_size);
}

Status write_all_at(int fd, std::string_view data, std::uint64_t offset, const std::string& path,
                    std::uint64_t* written) {
  *written = 0;
  while (!data.empty()) {
    const ssize_t n =
        ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset + *written));
    if (n < 0) {
      if (errno == EINTR) continue;
      return posix_error("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    *written += static_cast<std::uint64_t>(n);
  }
  return Status::ok();
}

}  // namespace vkv
