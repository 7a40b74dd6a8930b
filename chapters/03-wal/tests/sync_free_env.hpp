// SyncFreeEnv: the real file system with fdatasync and directory fsync turned into no-ops.
//
// The crash tests put a FaultInjectionEnv on top of this one: that Env does the bookkeeping
// of what a sync made durable and what a crash takes away, so the real fdatasync below it
// adds nothing but time (a millisecond or more each, hundreds of thousands of times).
#pragma once

#include <memory>
#include <string>

#include "common/env.hpp"

namespace vkv::testing {

/// Forwards everything to Env::posix() (preallocate() too), except that syncs succeed
/// without syncing.
class SyncFreeEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    return wrap(base().new_writable_file(path));
  }
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override {
    return wrap(base().new_appendable_file(path));
  }
  Result<std::unique_ptr<WritableFile>> new_mapped_file(const std::string& path) override {
    return wrap(base().new_mapped_file(path));
  }
  Result<std::unique_ptr<SequentialFile>> new_sequential_file(const std::string& path) override {
    return base().new_sequential_file(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override {
    return base().new_random_access_file(path);
  }
  Status rename_file(const std::string& from, const std::string& to) override {
    return base().rename_file(from, to);
  }
  Status remove_file(const std::string& path) override { return base().remove_file(path); }
  Status truncate_file(const std::string& path, std::uint64_t size) override {
    return base().truncate_file(path, size);
  }
  Status create_dir(const std::string& dir) override { return base().create_dir(dir); }
  Status sync_dir(const std::string&) override { return Status::ok(); }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    return base().list_dir(dir);
  }
  bool file_exists(const std::string& path) override { return base().file_exists(path); }
  Result<std::uint64_t> file_size(const std::string& path) override {
    return base().file_size(path);
  }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    return base().lock_file(path);
  }

 private:
  class File final : public WritableFile {
   public:
    explicit File(std::unique_ptr<WritableFile> base) : base_(std::move(base)) {}
    Status append(std::string_view data) override { return base_->append(data); }
    Status sync() override { return Status::ok(); }
    Status preallocate(std::uint64_t bytes, Preallocation how) override {
      return base_->preallocate(bytes, how);
    }
    Status close() override { return base_->close(); }
    [[nodiscard]] std::uint64_t size() const override { return base_->size(); }

   private:
    std::unique_ptr<WritableFile> base_;
  };

  static Env& base() { return Env::posix(); }
  static Result<std::unique_ptr<WritableFile>> wrap(Result<std::unique_ptr<WritableFile>> f) {
    if (!f.is_ok()) return f.status();
    return std::unique_ptr<WritableFile>(std::make_unique<File>(std::move(f).value()));
  }
};

}  // namespace vkv::testing
