/// \file
/// SmallFilesystem: a real file system of a few megabytes that a test can fill up.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <cstddef>
#include <string>

#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// A tmpfs of `bytes` mounted on a fresh temporary directory, unmounted when destroyed.
/// Mounting needs root (CI runs as root); elsewhere available() is false and the test that
/// wanted it says so and checks nothing.
class SmallFilesystem {
 public:
  /// Mounts a tmpfs of `bytes` bytes (rounded up to pages by the kernel).
  explicit SmallFilesystem(std::size_t bytes) {
    const std::string options = "size=" + std::to_string(bytes);
    mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallFilesystem() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  /// True when the file system is mounted (the process may mount).
  [[nodiscard]] bool available() const { return mounted_; }
  /// `name` inside the file system.
  [[nodiscard]] std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

}  // namespace vkv::testing
