/// \file
/// UniqueFd: a file descriptor that closes itself.
///
/// Every descriptor vkv opens (files, directories, sockets) lives in one of these, so no
/// error path can leak one: whoever owns the UniqueFd owns the descriptor, and it is closed
/// when the owner goes away.
#pragma once

#include <unistd.h>

#include <utility>

namespace vkv {

/// Owns one file descriptor and closes it on destruction. Movable, not copyable.
class UniqueFd {
 public:
  /// Owns nothing.
  UniqueFd() = default;
  /// Takes ownership of `fd` (a negative `fd` means nothing is owned).
  explicit UniqueFd(int fd) : fd_(fd) {}
  /// Closes the descriptor, if any, ignoring errors (call close() to see them).
  ~UniqueFd() { reset(); }
  /// Takes the descriptor from `other`, which then owns nothing.
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  /// Closes the current descriptor and takes `other`'s.
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  /// Not copyable: one owner per descriptor.
  UniqueFd(const UniqueFd&) = delete;
  /// Not copyable: one owner per descriptor.
  UniqueFd& operator=(const UniqueFd&) = delete;

  /// The descriptor, or -1 when nothing is owned.
  [[nodiscard]] int get() const { return fd_; }
  /// True when a descriptor is owned.
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  /// True when a descriptor is owned.
  explicit operator bool() const { return valid(); }

  /// Gives up ownership without closing and returns the descriptor (-1 if none).
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }
  /// Closes the current descriptor, if any, and owns `fd` instead.
  void reset(int fd = -1) {
    const int old = std::exchange(fd_, fd);
    if (old >= 0) ::close(old);
  }
  /// Closes the descriptor and returns close(2)'s result (0, or -1 with errno set); the
  /// object owns nothing afterwards, whatever the result (Linux frees the descriptor even
  /// when close fails, so retrying would close someone else's). Returns 0 if none is owned.
  int close() {
    const int old = std::exchange(fd_, -1);
    return old >= 0 ? ::close(old) : 0;
  }

 private:
  int fd_ = -1;
};

}  // namespace vkv
