/// \file
/// EnvWrapper: an Env that forwards every call to another Env.
///
/// A decorator of the file layer (one that fails on command, one that buffers, one that
/// skips syncs) derives from EnvWrapper and overrides only the calls it changes; everything
/// else reaches the target untouched. So a method added to Env later needs one forwarding
/// line here, not one in every decorator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/env.hpp"

namespace vkv {

/// Forwards every Env method to `target()`. Thread-safe as far as the target is.
/// REQUIRES: the target outlives the wrapper.
class EnvWrapper : public Env {
 public:
  /// Forwards to `target`, which must outlive this object.
  explicit EnvWrapper(Env& target) : target_(target) {}

  /// The Env every call goes to.
  [[nodiscard]] Env& target() const { return target_; }

  /// Forwarded.
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    return target_.new_writable_file(path);
  }
  /// Forwarded.
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override {
    return target_.new_appendable_file(path);
  }
  /// Forwarded.
  Result<std::unique_ptr<SequentialFile>> new_sequential_file(const std::string& path) override {
    return target_.new_sequential_file(path);
  }
  /// Forwarded.
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override {
    return target_.new_random_access_file(path);
  }
  /// Forwarded.
  Status rename_file(const std::string& from, const std::string& to) override {
    return target_.rename_file(from, to);
  }
  /// Forwarded.
  Status remove_file(const std::string& path) override { return target_.remove_file(path); }
  /// Forwarded.
  Status truncate_file(const std::string& path, std::uint64_t size) override {
    return target_.truncate_file(path, size);
  }
  /// Forwarded.
  Status create_dir(const std::string& dir) override { return target_.create_dir(dir); }
  /// Forwarded.
  Status remove_dir(const std::string& dir) override { return target_.remove_dir(dir); }
  /// Forwarded.
  Status sync_dir(const std::string& dir) override { return target_.sync_dir(dir); }
  /// Forwarded.
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    return target_.list_dir(dir);
  }
  /// Forwarded.
  bool file_exists(const std::string& path) override { return target_.file_exists(path); }
  /// Forwarded.
  Result<std::uint64_t> file_size(const std::string& path) override {
    return target_.file_size(path);
  }
  /// Forwarded.
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    return target_.lock_file(path);
  }

 private:
  Env& target_;
};

}  // namespace vkv
